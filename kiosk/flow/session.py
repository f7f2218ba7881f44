"""What one person's session holds, and how it is wiped.

A kiosk is a shared public terminal: nothing of one person may survive into the next
session. ``Session.reset()`` puts every field back to its default by rebuilding the
field set from the dataclass definition, so a field added later is wiped too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from kiosk.domain.model import Booking, Category, Residency, Slot
from kiosk.flow.pin_entry import PinEntry
from kiosk.flow.states import IdentifyMethod, State


@dataclass
class GuestDetails:
    name: str = ""
    phone: str = ""
    residency: Residency | None = None  # self-declared; staff check it at check-in


@dataclass
class CardHolder:
    """Who the My Number card said this is (kiosk/flow/card_identify.py). Only what the
    booking needs: never the birth date, sex, PIN or number. The server decides a card
    holder's residency itself and wants to see why it should believe the kiosk: the id of
    the challenge it verified, or (verified offline) the card's signature with its
    certificate, and the address only while the server has not registered the holder.
    All of it goes with the session, and with the outbox row once pushed."""

    person_key: str | None = None  # "jpki:..." pseudonym from the certificate
    name: str = ""
    residency: Residency | None = None
    verified_offline: bool = False  # chain checked on the kiosk, not by the server
    registered: bool = False  # the central server knows this card holder
    registration_token: str | None = None  # between verification and consent
    challenge_id: str | None = None  # the server's challenge the card signed and the server verified
    offline_proof: dict | None = None  # verified offline: what the server verifies again

    def identity(self) -> dict | None:
        """The ``identity`` a booking by this card holder carries (``CardIdentityIn``)."""
        if not self.person_key:
            return None
        if self.offline_proof is not None:
            return dict(self.offline_proof)
        return {"challenge_id": self.challenge_id} if self.challenge_id else None

    def __repr__(self) -> str:
        return f"CardHolder(registered={self.registered}, offline={self.verified_offline}, <redacted>)"


@dataclass
class Session:
    state: State = State.LANGUAGE
    language: str | None = None
    category: Category | None = None
    unit_id: str | None = None
    month: tuple[int, int] | None = None  # (year, month) the calendar shows
    day: date | None = None
    slots: list[Slot] = field(default_factory=list)
    identify_method: IdentifyMethod | None = None
    guest: GuestDetails = field(default_factory=GuestDetails)
    card: CardHolder | None = None
    surcharges: set[str] = field(default_factory=set)
    exemption: str | None = None
    notices: list = field(default_factory=list)  # list[kiosk.flow.messages.Notice]
    booking: Booking | None = None
    booked_offline: bool = False
    confirming: str | None = None  # the booking id waiting for the server's answer
    pay: "PaySession" = field(default_factory=lambda: _pay_session())  # payments, My bookings
    assist: "AssistSession" = field(default_factory=lambda: _assist_session())  # call staff, helper view
    display: "DisplaySettings" = field(default_factory=lambda: _display())  # text size, contrast
    # the card PIN pad's digits so far (kiosk/flow/pin_entry.py): kept while the pad is
    # redrawn (a change of text size), cleared on leaving it
    card_pin: PinEntry = field(default_factory=PinEntry, repr=False)

    def reset(self) -> None:
        """Wipe everything: back to a fresh session on the language screen."""
        # A view may still hold the PIN pads' entries: empty them, not just drop them.
        self.card_pin.clear()
        self.assist.staff_pin.clear()
        fresh = Session()
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))


def _display():
    from kiosk.flow.display import DisplaySettings

    return DisplaySettings()


def _pay_session():
    from kiosk.flow.payment import PaySession

    return PaySession()


def _assist_session():
    from kiosk.flow.assist import AssistSession

    return AssistSession()

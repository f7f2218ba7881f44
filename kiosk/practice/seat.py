"""One practice seat's session: its number in the room, its own virtual My Number card,
and what its page reports to the room. Plain Python (the band draws it).

The card is a ``LocalCardService`` over a ``VirtualMyNumberCard`` in this process: no
reader, no pcscd. The learner "puts it on the reader" with a button in the band.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.card.guard import AID_CARD_INFO, AID_JPKI
from kiosk.card.virtual.identity import VirtualIdentity
from kiosk.card.virtual.model import VirtualMyNumberCard
from kiosk.card.virtual.service import LocalCardService
from kiosk.practice.room import Room

# The practice card: a resident of 練習市, PIN 1234 for both applications.
PRACTICE_IDENTITY = VirtualIdentity(
    card_id="practice-0001", name="練習 花子", address="千葉県練習市れんしゅう一丁目1番1号",
    card_info_pin="1234", auth_pin="1234",
)
PINS = ((AID_CARD_INFO, 0x0011), (AID_JPKI, 0x0018))
MAX_TRIES = 3


def booking_ids(session) -> set[str]:
    """The bookings a session holds now: the one just made and those waiting to be paid."""
    ids = {b.booking_id for b in session.pay.bookings}
    if session.booking is not None:
        ids.add(session.booking.id)
    return ids


@dataclass
class SeatContext:
    room: Room
    number: int
    paysim_url: str
    identity: VirtualIdentity = PRACTICE_IDENTITY
    generation: int = 0
    card: LocalCardService = field(init=False)

    def __post_init__(self) -> None:
        self.card = LocalCardService(VirtualMyNumberCard(self.identity), inserted=False)
        self.generation = self.room.attach(self.number).generation

    @property
    def pin(self) -> str:
        return self.identity.auth_pin

    @property
    def card_inserted(self) -> bool:
        return self.card.transport.present

    def toggle_card(self) -> None:
        if self.card_inserted:
            self.card.remove()
        else:
            self.card.insert()

    def observe(self, flow) -> bool:
        return self.room.observe(self.number, self.generation, flow.state.value,
                                 flow.session.language, booking_ids(flow.session))

    def reset_needed(self) -> bool:
        return self.room.seat(self.number).generation != self.generation

    def catch_up(self, flow) -> None:
        """The volunteer reset this seat: a fresh session, the card out and its tries full."""
        flow.wipe()
        self.card.remove()
        for aid, fid in PINS:
            self.card.card.set_tries(aid, fid, MAX_TRIES)
        self.generation = self.room.seat(self.number).generation
        self.observe(flow)

    def close(self) -> None:
        self.room.detach(self.number)

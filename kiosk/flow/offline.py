r"""What a person is told about the kiosk's link to the central server.

Offline, the kiosk still shows availability from its cache and still books, but the
person must know three things, plainly and in their language: how old the availability
is ("as of 10:42"), that a booking made now is provisional (or, for a unit whose policy
is ``online_only``, that it cannot be booked now), and, on the done screen, how the
provisional booking ends and how they will learn it. The done screen reads the booking's
status from the cache each time it is built, so when sync settles the booking while the
person is still looking, the next render shows the outcome.

    >>> from datetime import datetime
    >>> from kiosk.i18n import Translator
    >>> as_of(Translator("en"), datetime(2026, 11, 25, 10, 42), now=datetime(2026, 11, 25, 11, 0))
    '10:42\xa0AM'
    >>> as_of(Translator("ja"), datetime(2026, 11, 24, 18, 5), now=datetime(2026, 11, 25, 9, 0))
    '11月24日(火) 18:05'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_skeleton

from kiosk.domain.model import BookingStatus, OfflinePolicy, Unit
from kiosk.i18n import N_, Translator

ONLINE = N_("Online")
OFFLINE = N_("Offline")
ONLINE_ACCESSIBLE = N_("The kiosk is connected to the city's booking system.")
OFFLINE_ACCESSIBLE = N_("The kiosk is not connected to the city's booking system.")

# On screen: one short line (the calendar must still fit); the long sentences below are
# what a screen reader says for the same note.
SHORT_AS_OF = N_("Offline: availability as of {when}.")
SHORT_NEVER_SYNCED = N_("Offline: availability may be out of date.")
SHORT_PROVISIONAL = N_("A booking made now is provisional.")
OFFLINE_AS_OF = N_(
    "The kiosk is offline. This shows availability as of {when}; "
    "some times shown free may have been booked since."
)
OFFLINE_NEVER_SYNCED = N_(
    "The kiosk is offline and has no recent availability; "
    "some times shown free may already be booked."
)
PROVISIONAL_AHEAD = N_(
    "A booking made now is provisional: it is confirmed or refused when the kiosk reconnects."
)
ONLINE_ONLY_NOW = N_(
    "This place can only be booked while the kiosk is online. It cannot be booked now."
)
ONLINE_ONLY_UNIT = N_("Online booking only: not available while the kiosk is offline")

TITLE_PROVISIONAL = N_("Your booking is provisional")
TITLE_CONFIRMED_LATER = N_("Your booking is confirmed")
TITLE_REJECTED = N_("Your booking could not be confirmed")
TITLE_CANCELLED = N_("This booking is cancelled")
PROVISIONAL_EXPLAIN = N_(
    "This booking is provisional: the kiosk could not reach the city's booking system. "
    "It will be confirmed or refused as soon as the kiosk reconnects."
)
PROVISIONAL_HOW = N_(
    "To learn the result, enter your booking number {code} at any kiosk or ask at the "
    "counter. If it cannot be confirmed, staff will phone you."
)
CONFIRMED_LATER = N_("The kiosk has reconnected: your booking {code} is now confirmed.")
REJECTED_EXPLAIN = N_("Sorry. Booking {code} could not be confirmed.")
REJECTED_TAKEN = N_("Someone else booked the same time while the kiosk was offline.")
REJECTED_RULES = N_("It does not meet the city's booking rules.")
REJECTED_NEXT = N_(
    "Nothing is booked and you pay nothing. Please choose another time, or ask the staff; "
    "staff will also phone you."
)
CANCELLED_EXPLAIN = N_("Booking {code} is cancelled. You pay nothing.")


def as_of(t: Translator, when: datetime, *, now: datetime) -> str:
    """``when`` as people say it: the time alone today, the day and time otherwise."""
    clock = t.time(when)
    if when.date() == now.date():
        return clock
    return f"{format_skeleton('MMMEd', when.date(), locale=t.locale)} {clock}"


def _last_synced(flow) -> datetime | None:
    link = flow.link
    return link.last_synced_at() if link is not None else None


def connection(flow) -> tuple[bool, str, str]:
    """(online, short label, accessible sentence) for the kiosk's status indicator."""
    online = bool(flow.online())
    t = flow.t
    if online:
        return True, t(ONLINE), t(ONLINE_ACCESSIBLE)
    return False, t(OFFLINE), t(OFFLINE_ACCESSIBLE)


def availability_note(flow, unit: Unit, *, full: bool = False) -> tuple[str, ...]:
    """The offline note of the calendar and time screens, nothing while online: two
    short sentences for the screen, or with ``full`` the longer ones a screen reader
    says (what "as of" means, how a provisional booking ends)."""
    if flow.online():
        return ()
    t = flow.t
    synced = _last_synced(flow)
    when = as_of(t, synced, now=flow.clock.now()) if synced else None
    if full:
        first = t(OFFLINE_AS_OF, when=when) if when else t(OFFLINE_NEVER_SYNCED)
        provisional = PROVISIONAL_AHEAD
    else:
        first = t(SHORT_AS_OF, when=when) if when else t(SHORT_NEVER_SYNCED)
        provisional = SHORT_PROVISIONAL
    online_only = unit.offline_policy is OfflinePolicy.ONLINE_ONLY
    return first, t(ONLINE_ONLY_NOW if online_only else provisional)


def unit_detail(flow, unit: Unit) -> str | None:
    """An extra line on the unit list for units that cannot be booked right now."""
    if unit.offline_policy is OfflinePolicy.ONLINE_ONLY and not flow.online():
        return flow.t(ONLINE_ONLY_UNIT)
    return None


@dataclass(frozen=True)
class DoneStatus:
    """How the done screen states the booking's fate right now."""

    tone: str  # "confirmed" | "provisional" | "rejected" | "cancelled"
    title: str | None  # None: the usual title
    lines: tuple[str, ...]
    show_usage: bool  # "show this number at the counter, pay there" still applies


def done_status(flow) -> DoneStatus:
    t = flow.t
    booking = flow.session.booking
    stored = flow.cache.get_booking(booking.id)
    status = stored.status if stored is not None else booking.status
    code = booking.code
    if status is BookingStatus.PROVISIONAL and not flow.session.booked_offline:
        # a flow with no server link that counts as online (tests, rehearsals)
        return DoneStatus("confirmed", None, (), True)
    if status is BookingStatus.PROVISIONAL:
        return DoneStatus("provisional", t(TITLE_PROVISIONAL),
                          (t(PROVISIONAL_EXPLAIN), t(PROVISIONAL_HOW, code=code)), True)
    if status is BookingStatus.REJECTED:
        reason = flow.cache.booking_status_reason(booking.id)
        why = t(REJECTED_TAKEN) if reason == "slot_taken" else t(REJECTED_RULES)
        return DoneStatus("rejected", t(TITLE_REJECTED),
                          (t(REJECTED_EXPLAIN, code=code), why, t(REJECTED_NEXT)), False)
    if status is BookingStatus.CANCELLED:
        return DoneStatus("cancelled", t(TITLE_CANCELLED), (t(CANCELLED_EXPLAIN, code=code),), False)
    if flow.session.booked_offline:  # confirmed after the person was told "provisional"
        return DoneStatus("confirmed", t(TITLE_CONFIRMED_LATER), (t(CONFIRMED_LATER, code=code),), True)
    return DoneStatus("confirmed", None, (), True)

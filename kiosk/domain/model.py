"""The kiosk's domain vocabulary: facilities, units, rules, rates, bookings.

Plain, immutable, typed values with no I/O and no UI imports. Every other part of
Madoguchi (cache, sync, server, UI) speaks in these types.

Conventions:
- Times are naive wall-clock datetimes in the city's time zone (Asia/Tokyo for every
  Japanese city). Rules never read the system clock: "now" is always passed in, and the
  kiosk passes the server-corrected time.
- Money is an ``int`` number of yen. Yen has no minor unit; rounding is always down
  (in the resident's favour) and happens once, in the fee module.
- Text shown to people is a ``LocalizedText``: a mapping from locale code to string,
  with Japanese (``"ja"``) always present as the fallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum

LocalizedText = Mapping[str, str]
"""Locale code ("ja", "en", "ja-easy", "zh-Hans", ...) -> text. "ja" is always present."""

FALLBACK_LOCALE = "ja"


def localized(text: LocalizedText, locale: str) -> str:
    """The text for ``locale``, else for its base language, else Japanese.

    >>> localized({"ja": "ホール", "en": "Hall"}, "en")
    'Hall'
    >>> localized({"ja": "ホール", "en": "Hall"}, "vi")
    'ホール'
    """
    if locale in text and text[locale]:
        return text[locale]
    base = locale.split("-")[0].split("_")[0]
    if base in text and text[base]:
        return text[base]
    return text.get(FALLBACK_LOCALE, "")


class Category(StrEnum):
    HALL = "hall"
    MEETING_ROOM = "meeting_room"
    JAPANESE_ROOM = "japanese_room"
    COOKING_ROOM = "cooking_room"
    GYM = "gym"
    TENNIS_COURT = "tennis_court"


class BookingMode(StrEnum):
    BLOCK = "block"  # fixed blocks: morning / afternoon / evening
    HOURLY = "hourly"  # whole hours within opening hours (courts)


class OfflinePolicy(StrEnum):
    PROVISIONAL = "provisional"  # may be booked provisionally while the server is down
    ONLINE_ONLY = "online_only"  # only with the server's confirmation


class Residency(StrEnum):
    RESIDENT = "resident"
    NON_RESIDENT = "non_resident"


class BookingStatus(StrEnum):
    PROVISIONAL = "provisional"  # made offline, waiting for the server
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    REJECTED = "rejected"  # provisional booking the server refused

    @property
    def holds_time(self) -> bool:
        """Whether a booking in this state keeps its unit busy."""
        return self in (BookingStatus.PROVISIONAL, BookingStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class TimeBlock:
    """A fixed rental block, e.g. 午前 9:00-12:00."""

    code: str  # "morning", "afternoon", "evening"
    start: time
    end: time
    names: LocalizedText


# Only the Japanese names (staff know the blocks by them): every other language takes
# the standard block names from its catalog (kiosk.flow.localize.STANDARD_NAMES).
DEFAULT_BLOCKS: tuple[TimeBlock, ...] = (
    TimeBlock("morning", time(9), time(12), {"ja": "午前"}),
    TimeBlock("afternoon", time(13), time(17), {"ja": "午後"}),
    TimeBlock("evening", time(18), time(21), {"ja": "夜間"}),
)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    opens: time = time(9)
    closes: time = time(21)


@dataclass(frozen=True, slots=True)
class ClosureCalendar:
    """When a facility is closed, beyond its opening hours."""

    weekly_closed: frozenset[int] = frozenset()  # date.weekday(): 0 = Monday
    year_end_closure: bool = True  # 12/29 - 1/3, as almost every Japanese facility
    closed_dates: frozenset[date] = frozenset()  # one-off closures (maintenance, elections)


@dataclass(frozen=True, slots=True)
class Facility:
    id: str
    names: LocalizedText
    address: str = ""
    kana: str = ""
    latitude: float | None = None
    longitude: float | None = None
    phone: str = ""
    url: str = ""
    description: LocalizedText = field(default_factory=dict)
    barrier_free: LocalizedText = field(default_factory=dict)
    opening: OpeningHours = OpeningHours()
    closures: ClosureCalendar = ClosureCalendar()


@dataclass(frozen=True, slots=True)
class Rate:
    """Yen for one block (block mode) or one hour (hourly mode)."""

    resident: int
    non_resident: int

    def for_(self, residency: Residency) -> int:
        return self.resident if residency is Residency.RESIDENT else self.non_resident


class SurchargeBasis(StrEnum):
    PER_SLOT = "per_slot"  # e.g. heating/cooling, per block or per hour used
    PER_BOOKING = "per_booking"  # e.g. piano, projector: once per booking


@dataclass(frozen=True, slots=True)
class Surcharge:
    code: str  # "air_conditioning", "piano", "projector", ...
    names: LocalizedText
    rate: Rate
    basis: SurchargeBasis = SurchargeBasis.PER_SLOT


@dataclass(frozen=True, slots=True)
class Exemption:
    """減免: a percentage off the usage fee (not surcharges), with its reason."""

    code: str  # "disability", "child_group", "senior_club", ...
    percent: int  # 0..100
    names: LocalizedText


@dataclass(frozen=True, slots=True)
class BookingRules:
    """The city's booking rules; a unit may override them."""

    resident_advance_days: int = 90  # residents may book this many days ahead
    non_resident_advance_days: int = 60  # non-residents open later
    max_slots_per_booking: int = 3  # blocks (or hours for hourly units) in one booking
    max_active_bookings: int = 4  # upcoming, not cancelled, per person
    cancellation_deadline_days: int = 3  # cancel (with refund) until N days before the day
    unpaid_hold_days: int = 7  # an unpaid booking is released after this many days


@dataclass(frozen=True, slots=True)
class Unit:
    """A bookable unit of a facility: a room, a hall, half a gym, a court."""

    id: str
    facility_id: str
    category: Category
    names: LocalizedText
    capacity: int
    mode: BookingMode = BookingMode.BLOCK
    blocks: tuple[TimeBlock, ...] = DEFAULT_BLOCKS  # used in block mode
    rates: Mapping[str, Rate] = field(default_factory=dict)  # block code -> rate; "hour" in hourly mode
    surcharges: tuple[Surcharge, ...] = ()
    group_only: bool = False  # only registered groups may book
    offline_policy: OfflinePolicy = OfflinePolicy.PROVISIONAL
    barrier_free: LocalizedText = field(default_factory=dict)
    notes: LocalizedText = field(default_factory=dict)
    rules: BookingRules | None = None  # None: the city's rules


HOURLY_RATE_KEY = "hour"


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """One bookable piece of a unit's time: a block, or one hour."""

    start: datetime
    end: datetime
    block_code: str | None = None  # None for hourly slots


@dataclass(frozen=True, slots=True)
class BusyInterval:
    """What a kiosk knows of any booking: which unit is busy when. Nothing personal."""

    unit_id: str
    start: datetime
    end: datetime
    status: BookingStatus = BookingStatus.CONFIRMED


@dataclass(frozen=True, slots=True)
class Applicant:
    """Who is booking, as far as the rules need to know."""

    residency: Residency
    person_key: str | None = None  # stable pseudonymous key (never the My Number)
    group_id: str | None = None  # registered group, if booking for one
    active_bookings: int = 0  # upcoming bookings this person already holds


@dataclass(frozen=True, slots=True)
class BookingRequest:
    unit_id: str
    slots: tuple[Slot, ...]
    applicant: Applicant
    surcharge_codes: frozenset[str] = frozenset()
    exemption_code: str | None = None


@dataclass(frozen=True, slots=True)
class Booking:
    id: str  # client-generated (UUID), also the idempotency key of its mutation
    code: str  # short code people read and type: "K7Q-4MX"
    unit_id: str
    slots: tuple[Slot, ...]
    status: BookingStatus
    residency: Residency
    total_yen: int
    created_at: datetime

    @property
    def start(self) -> datetime:
        return min(s.start for s in self.slots)

    @property
    def end(self) -> datetime:
        return max(s.end for s in self.slots)

"""Shared test data for the domain tests: a community centre with a hall and a court."""

from __future__ import annotations

from datetime import date, datetime, time

from kiosk.domain.model import (
    DEFAULT_BLOCKS,
    Applicant,
    BookingMode,
    BookingRequest,
    BookingRules,
    BookingStatus,
    BusyInterval,
    Category,
    ClosureCalendar,
    Exemption,
    Facility,
    OpeningHours,
    Rate,
    Residency,
    Slot,
    Surcharge,
    SurchargeBasis,
    TimeBlock,
    Unit,
)

WEDNESDAY = 2
ONE_OFF_CLOSURE = date(2026, 6, 10)
# A Friday morning; the facility is closed on Wednesdays and on ONE_OFF_CLOSURE.
NOW = datetime(2026, 5, 1, 10, 0)

FACILITY = Facility(
    "f1",
    {"ja": "みどり市民センター", "en": "Midori Civic Centre"},
    opening=OpeningHours(time(9), time(21)),
    closures=ClosureCalendar(
        weekly_closed=frozenset({WEDNESDAY}), closed_dates=frozenset({ONE_OFF_CLOSURE})
    ),
)

AIR_CONDITIONING = Surcharge(
    "air_conditioning", {"ja": "冷暖房", "en": "Air conditioning"}, Rate(300, 600)
)
PIANO = Surcharge("piano", {"ja": "ピアノ"}, Rate(1000, 2000), SurchargeBasis.PER_BOOKING)

HALL = Unit(
    "hall",
    "f1",
    Category.HALL,
    {"ja": "ホール", "en": "Hall"},
    capacity=300,
    rates={
        "morning": Rate(2300, 4600),
        "afternoon": Rate(3100, 6200),
        "evening": Rate(3500, 7000),
    },
    surcharges=(AIR_CONDITIONING, PIANO),
)

COURT = Unit(
    "court",
    "f1",
    Category.TENNIS_COURT,
    {"ja": "テニスコート", "en": "Tennis court"},
    capacity=4,
    mode=BookingMode.HOURLY,
    rates={"hour": Rate(500, 1000)},
    surcharges=(Surcharge("lights", {"ja": "照明", "en": "Lights"}, Rate(200, 400)),),
)

# A 全日 (whole day) block that overlaps the three regular blocks.
WHOLE_DAY = TimeBlock("whole_day", time(9), time(21), {"ja": "全日", "en": "Whole day"})
ROOM_WITH_WHOLE_DAY = Unit(
    "room",
    "f1",
    Category.MEETING_ROOM,
    {"ja": "会議室"},
    capacity=30,
    blocks=(*DEFAULT_BLOCKS, WHOLE_DAY),
    rates={"morning": Rate(800, 1600), "afternoon": Rate(1000, 2000),
           "evening": Rate(1000, 2000), "whole_day": Rate(2500, 5000)},
)

RULES = BookingRules(
    resident_advance_days=90,
    non_resident_advance_days=60,
    max_slots_per_booking=3,
    max_active_bookings=4,
    cancellation_deadline_days=3,
)

DISABILITY = Exemption("disability", 50, {"ja": "障害者", "en": "Disability"})
EXEMPTIONS = {"disability": DISABILITY, "full": Exemption("full", 100, {"ja": "全額免除"})}

RESIDENT = Applicant(Residency.RESIDENT, person_key="p1")
NON_RESIDENT = Applicant(Residency.NON_RESIDENT, person_key="p2")


def block(unit: Unit, day: date, code: str) -> Slot:
    b = next(b for b in unit.blocks if b.code == code)
    return Slot(datetime.combine(day, b.start), datetime.combine(day, b.end), code)


def hour(day: date, h: int) -> Slot:
    return Slot(datetime.combine(day, time(h)), datetime.combine(day, time(h + 1)))


def request(unit: Unit, *slots: Slot, applicant: Applicant = RESIDENT, **kw) -> BookingRequest:
    return BookingRequest(unit.id, tuple(slots), applicant, **kw)


def busy_for(
    unit: Unit, slot: Slot, status: BookingStatus = BookingStatus.CONFIRMED
) -> BusyInterval:
    return BusyInterval(unit.id, slot.start, slot.end, status)

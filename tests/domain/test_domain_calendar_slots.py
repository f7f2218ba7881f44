from dataclasses import replace
from datetime import date, datetime, time

import pytest
from domain_factories import COURT, FACILITY, HALL, ONE_OFF_CLOSURE, RULES, ROOM_WITH_WHOLE_DAY

from kiosk.domain.calendar import ClosureReason, closure_reason
from kiosk.domain.model import BookingRules, ClosureCalendar, Facility, OpeningHours, TimeBlock
from kiosk.domain.slots import effective_rules, slots_for_day


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 12, 28), None),
        (date(2026, 12, 29), ClosureReason.YEAR_END),
        (date(2026, 12, 31), ClosureReason.YEAR_END),
        (date(2027, 1, 1), ClosureReason.YEAR_END),
        (date(2027, 1, 3), ClosureReason.YEAR_END),
        (date(2027, 1, 4), None),  # a Monday, open again
        (date(2026, 5, 6), ClosureReason.WEEKLY),  # Wednesday
        (date(2026, 5, 7), None),
        (ONE_OFF_CLOSURE, ClosureReason.ONE_OFF),  # also a Wednesday: one-off wins
        (date(2028, 2, 29), None),  # leap day, a Tuesday
    ],
)
def test_closure_reasons(day, reason):
    assert closure_reason(FACILITY, day) == reason


def test_year_end_closure_can_be_switched_off():
    open_all_year = Facility("f", {"ja": "x"}, closures=ClosureCalendar(year_end_closure=False))
    assert closure_reason(open_all_year, date(2027, 1, 1)) is None


def test_year_end_wins_over_weekly_day():
    f = Facility("f", {"ja": "x"}, closures=ClosureCalendar(weekly_closed=frozenset({1})))
    assert closure_reason(f, date(2026, 12, 29)) is ClosureReason.YEAR_END  # a Tuesday


def test_block_slots_on_an_open_day():
    slots = slots_for_day(HALL, FACILITY, date(2026, 5, 7))
    assert [(s.block_code, s.start, s.end) for s in slots] == [
        ("morning", datetime(2026, 5, 7, 9), datetime(2026, 5, 7, 12)),
        ("afternoon", datetime(2026, 5, 7, 13), datetime(2026, 5, 7, 17)),
        ("evening", datetime(2026, 5, 7, 18), datetime(2026, 5, 7, 21)),
    ]


def test_no_slots_on_closed_days():
    assert slots_for_day(HALL, FACILITY, date(2026, 5, 6)) == ()
    assert slots_for_day(COURT, FACILITY, date(2027, 1, 3)) == ()
    assert len(slots_for_day(COURT, FACILITY, date(2027, 1, 4))) == 12


def test_hourly_slots_are_whole_hours_within_opening_hours():
    f = Facility("f1", {"ja": "x"}, opening=OpeningHours(time(8, 30), time(20, 45)))
    slots = slots_for_day(COURT, f, date(2026, 5, 7))
    assert [s.start.hour for s in slots] == list(range(9, 20))
    assert all(s.block_code is None and (s.end - s.start).seconds == 3600 for s in slots)


def test_blocks_outside_opening_hours_are_not_offered():
    f = Facility("f1", {"ja": "x"}, opening=OpeningHours(time(9), time(17)))
    assert [s.block_code for s in slots_for_day(HALL, f, date(2026, 5, 7))] == ["morning", "afternoon"]


def test_overlapping_blocks_come_in_time_order():
    codes = [s.block_code for s in slots_for_day(ROOM_WITH_WHOLE_DAY, FACILITY, date(2026, 5, 7))]
    assert codes == ["morning", "whole_day", "afternoon", "evening"]


def test_midnight_closing_means_end_of_day():
    f = Facility("f1", {"ja": "x"}, opening=OpeningHours(time(22), time(0)))
    slots = slots_for_day(COURT, f, date(2026, 5, 7))
    assert [(s.start, s.end) for s in slots] == [
        (datetime(2026, 5, 7, 22), datetime(2026, 5, 7, 23)),
        (datetime(2026, 5, 7, 23), datetime(2026, 5, 8, 0)),
    ]
    late = TimeBlock("late", time(22), time(0), {"ja": "深夜"})
    (slot,) = slots_for_day(replace(HALL, blocks=(late,)), f, date(2026, 5, 7))
    assert (slot.start, slot.end) == (datetime(2026, 5, 7, 22), datetime(2026, 5, 8, 0))


def test_leap_day_has_slots():
    assert len(slots_for_day(HALL, FACILITY, date(2028, 2, 29))) == 3


def test_effective_rules_prefers_the_units_own():
    own = BookingRules(max_slots_per_booking=1)
    unit = replace(HALL, rules=own)
    assert effective_rules(unit, RULES) is own
    assert effective_rules(HALL, RULES) is RULES
    assert effective_rules(unit, effective_rules(unit, RULES)) is own

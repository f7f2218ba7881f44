"""Properties of the rules over many generated cases (hypothesis).

The central one: however requests arrive, the bookings the rules accept never overlap
on a unit. Also: availability agrees with validation, the month view agrees with the
day view, and a fee quote adds up.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain_factories import (
    COURT,
    EXEMPTIONS,
    FACILITY,
    HALL,
    NOW,
    ROOM_WITH_WHOLE_DAY,
    RULES,
    busy_for,
    request,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.domain.availability import (
    DayState,
    SlotState,
    day_availability,
    month_availability,
)
from kiosk.domain.fees import quote
from kiosk.domain.model import Applicant, BookingStatus, BusyInterval, Residency
from kiosk.domain.rules import overlaps, validate_booking
from kiosk.domain.slots import scheduled_slots

UNITS = {u.id: u for u in (HALL, COURT, ROOM_WITH_WHOLE_DAY)}
FIRST_DAY = NOW.date()  # a few days around "now": past, today, closed days, the window
days = st.integers(min_value=-2, max_value=12).map(lambda n: FIRST_DAY + timedelta(days=n))
residencies = st.sampled_from(list(Residency))


@st.composite
def booking_requests(draw):
    """A request for 1-4 of the slots one unit offers on one day (sometimes 2 days)."""
    unit = UNITS[draw(st.sampled_from(sorted(UNITS)))]
    day = draw(days)
    offered = list(scheduled_slots(unit, FACILITY, day))
    slots = draw(st.lists(st.sampled_from(offered), min_size=1, max_size=4))
    if draw(st.integers(0, 9)) == 0:  # now and then a request over two days
        other = list(scheduled_slots(unit, FACILITY, day + timedelta(days=1)))
        slots.append(draw(st.sampled_from(other)))
    applicant = Applicant(draw(residencies), person_key=f"p{draw(st.integers(0, 3))}")
    return request(unit, *slots, applicant=applicant)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(booking_requests(), min_size=1, max_size=25))
def test_no_two_accepted_bookings_of_a_unit_overlap(requests):
    accepted: list[BusyInterval] = []
    for req in requests:
        unit = UNITS[req.unit_id]
        busy = [b for b in accepted if b.unit_id == unit.id]
        if validate_booking(req, unit, FACILITY, busy, NOW, RULES, EXEMPTIONS) == []:
            accepted += [busy_for(unit, slot) for slot in req.slots]
    for i, a in enumerate(accepted):
        for b in accepted[i + 1:]:
            if a.unit_id == b.unit_id:
                assert not overlaps(a.start, a.end, b.start, b.end), (a, b)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(UNITS)), days, residencies,
       st.lists(st.tuples(st.integers(0, 14), st.integers(8, 21), st.integers(1, 4),
                          st.sampled_from(list(BookingStatus))), max_size=6))
def test_a_free_slot_is_exactly_one_the_rules_accept_alone(unit_id, day, residency, raw_busy):
    unit = UNITS[unit_id]
    busy = sorted((BusyInterval(unit.id, start, start + timedelta(hours=hours), status)
                   for n, h, hours, status in raw_busy
                   for start in [_at(FIRST_DAY + timedelta(days=n - 2), h)]),
                  key=lambda b: b.start)
    applicant = Applicant(residency, person_key="someone")
    for avail in day_availability(unit, FACILITY, day, busy, NOW, residency, RULES):
        ok = validate_booking(request(unit, avail.slot, applicant=applicant), unit, FACILITY,
                              busy, NOW, RULES) == []
        assert ok == (avail.state is SlotState.FREE), avail


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(UNITS)), residencies, st.integers(0, 2),
       st.lists(st.tuples(st.integers(0, 40), st.integers(8, 21), st.integers(1, 3)), max_size=20))
def test_month_view_agrees_with_each_day(unit_id, residency, month_offset, raw_busy):
    unit = UNITS[unit_id]
    year, month = NOW.year, NOW.month + month_offset
    busy = sorted((BusyInterval(unit.id, _at(FIRST_DAY + timedelta(days=n), h),
                                _at(FIRST_DAY + timedelta(days=n), h) + timedelta(hours=k),
                                BookingStatus.CONFIRMED) for n, h, k in raw_busy),
                  key=lambda b: b.start)
    for d in month_availability(unit, FACILITY, year, month, busy, NOW, residency, RULES):
        slots = day_availability(unit, FACILITY, d.day, busy, NOW, residency, RULES)
        free = sum(s.state is SlotState.FREE for s in slots)
        assert d.free_slots == free
        assert (d.state is DayState.AVAILABLE) == (free > 0)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(UNITS)), days, residencies, st.data())
def test_a_quote_adds_up_and_a_full_exemption_leaves_only_surcharges(unit_id, day, residency,
                                                                     data):
    unit = UNITS[unit_id]
    offered = list(scheduled_slots(unit, FACILITY, day))
    slots = data.draw(st.lists(st.sampled_from(offered), min_size=1, max_size=3, unique=True))
    offered_codes = [s.code for s in unit.surcharges]
    codes = data.draw(st.sets(st.sampled_from(offered_codes)) if offered_codes else st.just(set()))
    plain = quote(unit, slots, residency, codes)
    assert plain.total_yen == sum(line.amount_yen for line in plain.lines) >= 0
    free = quote(unit, slots, residency, codes, EXEMPTIONS["full"])
    surcharges = sum(line.amount_yen for line in plain.lines if line.code in codes)
    assert free.total_yen == surcharges


def _at(day: date, hour: int):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, hour)

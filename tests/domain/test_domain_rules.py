import string
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from domain_factories import (
    COURT,
    EXEMPTIONS,
    FACILITY,
    HALL,
    NON_RESIDENT,
    NOW,
    ONE_OFF_CLOSURE,
    RESIDENT,
    RULES,
    ROOM_WITH_WHOLE_DAY,
    block,
    busy_for,
    hour,
    request,
)

from kiosk.domain.model import (
    Booking,
    BookingRequest,
    BookingRules,
    BookingStatus,
    BusyInterval,
    OfflinePolicy,
    Residency,
    Slot,
)
from kiosk.domain.rules import (
    VIOLATION_MESSAGES,
    Violation,
    ViolationCode,
    overlaps,
    validate_booking,
    validate_cancellation,
)

DAY = date(2026, 5, 7)  # a Thursday, open
V = ViolationCode


def check(req, unit=HALL, busy=(), now=NOW, rules=RULES, **kw):
    return validate_booking(req, unit, FACILITY, busy, now, rules, EXEMPTIONS, **kw)


def codes(violations):
    return [v.code for v in violations]


def test_a_valid_booking_has_no_violations():
    assert check(request(HALL, block(HALL, DAY, "morning"), block(HALL, DAY, "evening"))) == []
    assert check(request(COURT, hour(DAY, 9), hour(DAY, 10)), unit=COURT) == []


def test_empty_request():
    assert codes(check(request(HALL))) == [V.EMPTY_REQUEST]


def test_unknown_unit():
    req = request(HALL, block(HALL, DAY, "morning"))
    assert check(req, unit=None) == [Violation(V.UNKNOWN_UNIT, {"unit_id": "hall"})]
    assert codes(check(req, unit=COURT)) == [V.UNKNOWN_UNIT]


def test_unit_of_another_facility_is_a_programming_error():
    req = request(HALL, block(HALL, DAY, "morning"))
    with pytest.raises(ValueError):
        validate_booking(req, HALL, replace(FACILITY, id="other"), (), NOW, RULES)


@pytest.mark.parametrize(
    "slot",
    [
        Slot(datetime(2026, 5, 7, 10), datetime(2026, 5, 7, 11), "morning"),  # wrong times
        Slot(datetime(2026, 5, 7, 9), datetime(2026, 5, 7, 12), None),  # no block code
        Slot(datetime(2026, 5, 7, 9), datetime(2026, 5, 7, 12), "afternoon"),  # wrong code
    ],
)
def test_slot_not_offered_in_block_mode(slot):
    (v,) = check(request(HALL, slot))
    assert v.code is V.SLOT_NOT_OFFERED
    assert v.params == {"date": "2026-05-07", "start": slot.start.strftime("%H:%M"),
                        "end": slot.end.strftime("%H:%M")}


def test_slot_not_offered_in_hourly_mode():
    outside = hour(DAY, 8)  # before opening
    half = Slot(datetime(2026, 5, 7, 9, 30), datetime(2026, 5, 7, 10, 30))
    two_hours = Slot(datetime(2026, 5, 7, 9), datetime(2026, 5, 7, 11))
    for slot in (outside, half, two_hours):
        assert codes(check(request(COURT, slot), unit=COURT)) == [V.SLOT_NOT_OFFERED]


def test_mixed_days():
    req = request(HALL, block(HALL, DAY, "morning"), block(HALL, DAY + timedelta(days=1), "morning"))
    assert check(req) == [Violation(V.MIXED_DAYS, {"days": 2})]


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 5, 6), "weekly"),
        (ONE_OFF_CLOSURE, "one_off"),
        (date(2026, 12, 29), "year_end"),
        (date(2027, 1, 3), "year_end"),
    ],
)
def test_closed_day(day, reason):
    now = datetime(2026, 12, 1, 9)
    if day < now.date():
        now = NOW
    (v,) = check(request(HALL, block(HALL, day, "morning")), now=now)
    assert v == Violation(V.CLOSED_DAY, {"date": day.isoformat(), "reason": reason})


def test_january_fourth_is_open_again():
    assert check(request(HALL, block(HALL, date(2027, 1, 4), "morning")), now=datetime(2026, 12, 1)) == []


def test_in_the_past_starts_strictly_after_now():
    morning = block(HALL, DAY, "morning")
    assert codes(check(request(HALL, morning), now=morning.start)) == [V.IN_THE_PAST]
    assert codes(check(request(HALL, morning), now=morning.start + timedelta(hours=1))) == [V.IN_THE_PAST]
    assert check(request(HALL, morning), now=morning.start - timedelta(seconds=1)) == []
    (v,) = check(request(HALL, morning), now=datetime(2026, 6, 1))
    assert v.params == {"date": "2026-05-07", "start": "09:00", "end": "12:00"}


def test_window_opens_at_midnight_n_days_before():
    day = date(2026, 7, 30)  # resident window 90 days: opens 2026-05-01 00:00
    req = request(HALL, block(HALL, day, "morning"))
    (v,) = check(req, now=datetime(2026, 4, 30, 23, 59, 59))
    assert v == Violation(
        V.WINDOW_NOT_OPEN, {"date": "2026-07-30", "opens_on": "2026-05-01", "days": 90}
    )
    assert check(req, now=datetime(2026, 5, 1, 0, 0)) == []


def test_non_residents_open_later():
    day = date(2026, 6, 30)  # non-resident window 60 days: opens 2026-05-01 00:00
    res = request(HALL, block(HALL, day, "morning"))
    non = request(HALL, block(HALL, day, "morning"), applicant=NON_RESIDENT)
    early = datetime(2026, 4, 30, 12)
    assert check(res, now=early) == []
    (v,) = check(non, now=early)
    assert v.code is V.WINDOW_NOT_OPEN and v.params["days"] == 60
    assert check(non, now=datetime(2026, 5, 1)) == []


def test_window_counts_the_leap_day():
    # 2027-12-01 + 90 days = 2028-02-29
    req = request(HALL, block(HALL, date(2028, 2, 29), "morning"))
    assert check(req, now=datetime(2027, 12, 1, 0, 0)) == []
    assert codes(check(req, now=datetime(2027, 11, 30, 23, 59))) == [V.WINDOW_NOT_OPEN]


def test_too_many_slots():
    req = request(COURT, *(hour(DAY, h) for h in range(9, 13)))
    assert check(req, unit=COURT) == [Violation(V.TOO_MANY_SLOTS, {"max": 3, "count": 4})]
    assert check(request(COURT, *(hour(DAY, h) for h in range(9, 12))), unit=COURT) == []


def test_too_many_active_bookings():
    slot = block(HALL, DAY, "morning")
    full = replace(RESIDENT, active_bookings=4)
    assert check(request(HALL, slot, applicant=full)) == [
        Violation(V.TOO_MANY_ACTIVE_BOOKINGS, {"max": 4, "count": 4})
    ]
    assert check(request(HALL, slot, applicant=replace(RESIDENT, active_bookings=3))) == []


@pytest.mark.parametrize("status", [BookingStatus.CONFIRMED, BookingStatus.PROVISIONAL])
def test_slot_taken_by_a_booking_that_holds_time(status):
    morning = block(HALL, DAY, "morning")
    (v,) = check(request(HALL, morning), busy=[busy_for(HALL, morning, status)])
    assert v == Violation(V.SLOT_TAKEN, {"date": "2026-05-07", "start": "09:00", "end": "12:00"})


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
def test_cancelled_and_rejected_bookings_free_their_time(status):
    morning = block(HALL, DAY, "morning")
    assert check(request(HALL, morning), busy=[busy_for(HALL, morning, status)]) == []


def test_other_units_and_touching_intervals_do_not_take_a_slot():
    morning = block(HALL, DAY, "morning")
    busy = [
        BusyInterval("court", morning.start, morning.end),
        BusyInterval("hall", morning.end, morning.end + timedelta(hours=1)),
        BusyInterval("hall", morning.start - timedelta(hours=1), morning.start),
    ]
    assert check(request(HALL, morning), busy=busy) == []


def test_partial_and_overlapping_blocks_are_taken():
    morning = block(ROOM_WITH_WHOLE_DAY, DAY, "morning")
    whole = block(ROOM_WITH_WHOLE_DAY, DAY, "whole_day")
    busy = [busy_for(ROOM_WITH_WHOLE_DAY, morning)]
    assert codes(check(request(ROOM_WITH_WHOLE_DAY, whole), unit=ROOM_WITH_WHOLE_DAY, busy=busy)) == [V.SLOT_TAKEN]
    partial = [BusyInterval("court", datetime(2026, 5, 7, 11, 59), datetime(2026, 5, 7, 13, 1))]
    got = check(request(COURT, hour(DAY, 11), hour(DAY, 12), hour(DAY, 13)), unit=COURT, busy=partial)
    assert [v.params["start"] for v in got] == ["11:00", "12:00", "13:00"]


def test_group_only():
    unit = replace(HALL, group_only=True)
    slot = block(HALL, DAY, "morning")
    assert codes(check(request(unit, slot), unit=unit)) == [V.GROUP_ONLY]
    assert check(request(unit, slot, applicant=replace(RESIDENT, group_id="g1")), unit=unit) == []


def test_unknown_surcharges_each_reported_in_order():
    req = request(HALL, block(HALL, DAY, "morning"),
                  surcharge_codes=frozenset({"piano", "smoke_machine", "karaoke"}))
    assert check(req) == [
        Violation(V.UNKNOWN_SURCHARGE, {"code": "karaoke"}),
        Violation(V.UNKNOWN_SURCHARGE, {"code": "smoke_machine"}),
    ]


def test_unknown_exemption():
    slot = block(HALL, DAY, "morning")
    assert check(request(HALL, slot, exemption_code="disability")) == []
    assert check(request(HALL, slot, exemption_code="vip")) == [
        Violation(V.UNKNOWN_EXEMPTION, {"code": "vip"})
    ]


def test_offline_policy():
    slot = block(HALL, DAY, "morning")
    online_only = replace(HALL, offline_policy=OfflinePolicy.ONLINE_ONLY)
    assert check(request(HALL, slot), online=False) == []
    assert check(request(online_only, slot), unit=online_only, online=True) == []
    assert codes(check(request(online_only, slot), unit=online_only, online=False)) == [
        V.OFFLINE_NOT_ALLOWED
    ]


def test_duplicate_slot_reported_once():
    slot = block(HALL, DAY, "morning")
    assert codes(check(request(HALL, slot, slot))) == [V.DUPLICATE_SLOT]
    taken = check(request(HALL, slot, slot), busy=[busy_for(HALL, slot)])
    assert codes(taken) == [V.SLOT_TAKEN, V.DUPLICATE_SLOT]


def test_units_own_rules_override_the_citys():
    unit = replace(COURT, rules=replace(RULES, max_slots_per_booking=1))
    got = check(request(unit, hour(DAY, 9), hour(DAY, 10)), unit=unit)
    assert got == [Violation(V.TOO_MANY_SLOTS, {"max": 1, "count": 2})]


def _everything_wrong():
    """A request breaking every booking rule but EMPTY_REQUEST and UNKNOWN_UNIT."""
    unit = replace(HALL, group_only=True, offline_policy=OfflinePolicy.ONLINE_ONLY)
    slots = (
        block(HALL, date(2026, 5, 6), "morning"),  # closed (Wednesday), in the past
        Slot(datetime(2026, 5, 7, 10), datetime(2026, 5, 7, 11), "x"),  # not offered
        block(HALL, DAY, "evening"),  # taken
        block(HALL, DAY, "morning"),
        block(HALL, DAY, "morning"),  # twice
        block(HALL, date(2026, 9, 1), "morning"),  # beyond the window
    )
    applicant = replace(RESIDENT, active_bookings=9)
    req = BookingRequest("hall", slots, applicant, frozenset({"zzz"}), "vip")
    busy = [busy_for(HALL, block(HALL, DAY, "evening"))]
    return req, unit, busy, datetime(2026, 5, 6, 10)


def test_all_violations_at_once_in_a_stable_order():
    req, unit, busy, now = _everything_wrong()
    got = validate_booking(req, unit, FACILITY, busy, now, RULES, EXEMPTIONS, online=False)
    assert codes(got) == [
        V.SLOT_NOT_OFFERED,
        V.MIXED_DAYS,
        V.CLOSED_DAY,
        V.IN_THE_PAST,
        V.WINDOW_NOT_OPEN,
        V.TOO_MANY_SLOTS,
        V.TOO_MANY_ACTIVE_BOOKINGS,
        V.SLOT_TAKEN,
        V.GROUP_ONLY,
        V.UNKNOWN_SURCHARGE,
        V.UNKNOWN_EXEMPTION,
        V.OFFLINE_NOT_ALLOWED,
        V.DUPLICATE_SLOT,
        V.OVERLAPPING_SLOTS,  # "x" 10:00-11:00 lies inside the morning block
    ]
    assert got[1].params == {"days": 3}
    # The same request in another order gives the same answer.
    shuffled = replace(req, slots=tuple(reversed(req.slots)))
    assert validate_booking(shuffled, unit, FACILITY, busy, now, RULES, EXEMPTIONS, online=False) == got


def test_every_code_has_a_message_whose_placeholders_its_params_fill():
    assert set(VIOLATION_MESSAGES) == set(ViolationCode)
    req, unit, busy, now = _everything_wrong()
    produced = validate_booking(req, unit, FACILITY, busy, now, RULES, EXEMPTIONS, online=False)
    produced += check(request(HALL), unit=None)  # EMPTY_REQUEST, UNKNOWN_UNIT
    cancelled = _booking(block(HALL, DAY, "morning"), BookingStatus.CANCELLED)
    produced += validate_cancellation(cancelled, datetime(2026, 5, 6), RULES)
    assert {v.code for v in produced} == set(ViolationCode)
    for v in produced:
        fields = {f for _, f, _, _ in string.Formatter().parse(v.message) if f}
        assert fields <= set(v.params), (v.code, fields, v.params)
        assert "{" not in v.message.format(**v.params)


def _booking(slot, status=BookingStatus.CONFIRMED):
    return Booking("id1", "K7Q-4MX", "hall", (slot,), status, Residency.RESIDENT, 2300, NOW)


def test_cancellation_allowed_until_midnight_n_days_before():
    booking = _booking(block(HALL, DAY, "evening"))  # 2026-05-07: deadline 2026-05-04 00:00
    assert validate_cancellation(booking, datetime(2026, 5, 3, 23, 59, 59), RULES) == []
    (v,) = validate_cancellation(booking, datetime(2026, 5, 4, 0, 0), RULES)
    assert v == Violation(
        V.CANCELLATION_DEADLINE_PASSED,
        {"deadline": "2026-05-04 00:00", "last_day": "2026-05-03", "days": 3},
    )
    assert v.message.format(**v.params).endswith("2026-05-03. Please contact the facility.")


def test_cancellation_never_after_start_even_without_deadline():
    rules = BookingRules(cancellation_deadline_days=0)
    booking = _booking(block(HALL, DAY, "evening"))
    assert validate_cancellation(booking, datetime(2026, 5, 6, 23, 59), rules) == []
    assert codes(validate_cancellation(booking, datetime(2026, 5, 7, 0, 0), rules)) == [
        V.CANCELLATION_DEADLINE_PASSED
    ]
    # A slot starting at midnight: the deadline is the start itself.
    early = _booking(Slot(datetime(2026, 5, 7), datetime(2026, 5, 7, 1)))
    assert codes(validate_cancellation(early, datetime(2026, 5, 7), rules)) == [
        V.CANCELLATION_DEADLINE_PASSED
    ]


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
def test_not_cancellable_twice(status):
    booking = _booking(block(HALL, DAY, "evening"), status)
    assert validate_cancellation(booking, NOW, RULES) == [
        Violation(V.NOT_CANCELLABLE, {"status": str(status)})
    ]


def test_provisional_bookings_can_be_cancelled():
    assert validate_cancellation(_booking(block(HALL, DAY, "evening"), BookingStatus.PROVISIONAL), NOW, RULES) == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((9, 12), (12, 13), False),
        ((9, 12), (11, 13), True),
        ((9, 12), (8, 9), False),
        ((9, 12), (10, 11), True),
        ((9, 12), (8, 22), True),
    ],
)
def test_overlaps_is_half_open(a, b, expected):
    t = lambda h: datetime(2026, 5, 7, h)  # noqa: E731
    assert overlaps(t(a[0]), t(a[1]), t(b[0]), t(b[1])) is expected
    assert overlaps(t(b[0]), t(b[1]), t(a[0]), t(a[1])) is expected


def test_overlapping_blocks_in_one_request_are_refused_once():
    # Found by the hypothesis property: 全日 with 午前 held the morning twice.
    day = date(2026, 5, 2)
    found = check(request(ROOM_WITH_WHOLE_DAY, block(ROOM_WITH_WHOLE_DAY, day, "morning"),
                          block(ROOM_WITH_WHOLE_DAY, day, "whole_day"),
                          block(ROOM_WITH_WHOLE_DAY, day, "afternoon")), unit=ROOM_WITH_WHOLE_DAY)
    assert codes(found) == [V.OVERLAPPING_SLOTS]
    assert found[0].params == {"date": "2026-05-02", "start": "09:00", "end": "12:00",
                               "other_start": "09:00", "other_end": "21:00"}
    # Blocks that only touch do not overlap.
    assert check(request(ROOM_WITH_WHOLE_DAY, block(ROOM_WITH_WHOLE_DAY, day, "morning"),
                         block(ROOM_WITH_WHOLE_DAY, day, "afternoon")), unit=ROOM_WITH_WHOLE_DAY) == []

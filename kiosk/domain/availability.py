"""Availability of a unit by slot and by day, from the busy intervals a kiosk knows.

Hot path: the month calendar. Busy intervals are reduced once to sorted start times and
a running maximum of end times, so "does anything overlap [s, e)?" is one bisect:
the intervals starting before ``e`` are a prefix, and one of them reaches past ``s``
exactly when the prefix's largest end does. O((slots + busy) log busy), and correct
even if busy intervals overlap one another (conflicting provisional bookings).
"""

from __future__ import annotations

import calendar as _calendar
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from operator import attrgetter, gt

from kiosk.domain.calendar import closure_reason
from kiosk.domain.model import (
    BookingRules,
    BookingStatus,
    BusyInterval,
    Facility,
    Residency,
    Slot,
    Unit,
)
from kiosk.domain.slots import SlotTemplate, effective_rules, slot_template, slots_from_template
from kiosk.domain.windows import last_bookable_day


class SlotState(StrEnum):
    FREE = "free"
    TAKEN = "taken"
    CLOSED = "closed"  # the facility is closed that day
    PAST = "past"  # the slot has started or is over
    NOT_YET_OPEN = "not_yet_open"  # beyond this residency's advance-booking window


@dataclass(frozen=True, slots=True)
class SlotAvailability:
    slot: Slot
    state: SlotState


class DayState(StrEnum):
    AVAILABLE = "available"  # at least one free slot
    FULL = "full"  # nothing free, and some slots are taken
    CLOSED = "closed"  # closed day, or the unit offers no slot that day
    NOT_BOOKABLE = "not_bookable"  # past, or the window has not opened


@dataclass(frozen=True, slots=True)
class DayAvailability:
    day: date
    state: DayState
    free_slots: int
    total_slots: int  # slots the unit offers that day (when open)


# A tuple, not a set: membership then compares by identity in C, where hashing an
# enum member would run Python code, and this filter runs over every busy interval.
_HOLDING = tuple(s for s in BookingStatus if s.holds_time)


class BusyIndex:
    """The busy time of one unit, indexed for overlap queries."""

    __slots__ = ("_starts", "_max_ends")

    def __init__(self, unit_id: str, busy: Sequence[BusyInterval]) -> None:
        holding = _HOLDING
        held = [b for b in busy if b.unit_id == unit_id and b.status in holding]
        starts = [b.start for b in held]
        if starts != sorted(starts):  # callers pass busy sorted by start; be safe anyway
            held.sort(key=attrgetter("start"))
            starts = [b.start for b in held]
        ends = [b.end for b in held]
        if ends != sorted(ends):  # only when some interval contains a later one
            running = ends[0]
            for i, end in enumerate(ends):
                if end > running:
                    running = end
                ends[i] = running
        self._starts = starts
        self._max_ends = ends  # max_ends[i]: the largest end among the first i+1 intervals

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether any busy interval overlaps the half-open interval [start, end)."""
        i = bisect_left(self._starts, end)
        return i > 0 and self._max_ends[i - 1] > start


def day_availability(
    unit: Unit,
    facility: Facility,
    day: date,
    busy: Sequence[BusyInterval],
    now: datetime,
    residency: Residency,
    rules: BookingRules,
) -> list[SlotAvailability]:
    """The state of each slot ``unit`` has on ``day``; all CLOSED on a closed day.

    A FREE slot is bookable alone by this residency (validate_booking agrees); a TAKEN
    one overlaps a booking that holds time. When several states apply, the first of
    CLOSED, PAST, NOT_YET_OPEN, TAKEN wins.
    """
    slots = slots_from_template(slot_template(unit, facility), day)
    if closure_reason(facility, day) is not None:
        return [SlotAvailability(slot, SlotState.CLOSED) for slot in slots]
    rules = effective_rules(unit, rules)
    window_open = day <= last_bookable_day(now, residency, rules)
    index = BusyIndex(unit.id, busy)
    result = []
    for slot in slots:
        if slot.start <= now:
            state = SlotState.PAST
        elif not window_open:
            state = SlotState.NOT_YET_OPEN
        elif index.overlaps(slot.start, slot.end):
            state = SlotState.TAKEN
        else:
            state = SlotState.FREE
        result.append(SlotAvailability(slot, state))
    return result


def month_availability(
    unit: Unit,
    facility: Facility,
    year: int,
    month: int,
    busy: Sequence[BusyInterval],
    now: datetime,
    residency: Residency,
    rules: BookingRules,
) -> list[DayAvailability]:
    """One DayAvailability per day of the month, in order (the calendar screen).

    Agrees with day_availability: ``free_slots`` counts its FREE slots, and the day is
    AVAILABLE when some are free, FULL when none is free but some are TAKEN.
    """
    template = slot_template(unit, facility)
    total = len(template)
    rules = effective_rules(unit, rules)
    last_day = last_bookable_day(now, residency, rules)
    today = now.date()
    days = [date(year, month, d) for d in range(1, _calendar.monthrange(year, month)[1] + 1)]
    states: dict[date, DayState] = {}
    bookable: list[date] = []
    for day in days:
        if total == 0 or closure_reason(facility, day) is not None:
            states[day] = DayState.CLOSED
        elif day < today or day > last_day:
            states[day] = DayState.NOT_BOOKABLE
        else:
            bookable.append(day)
    counts = _free_and_taken(template, bookable, BusyIndex(unit.id, busy), now)
    result = []
    for day in days:
        state = states.get(day)
        if state is not None:
            result.append(DayAvailability(day, state, 0, total))
            continue
        free, taken = counts[day]
        if free:
            state = DayState.AVAILABLE
        elif taken:
            state = DayState.FULL
        else:
            state = DayState.NOT_BOOKABLE
        result.append(DayAvailability(day, state, free, total))
    return result


def _free_and_taken(
    template: SlotTemplate, days: list[date], index: BusyIndex, now: datetime
) -> dict[date, tuple[int, int]]:
    """(free, taken) slot counts per day, slots that started by ``now`` in neither.

    Vectorised with map() over builtins so the per-slot work runs in C: this is the
    hot path of the month calendar (a month of hourly court slots is ~370 slots).
    """
    per_day = len(template)
    offsets_start = [s for s, _, _ in template]
    offsets_end = [e for _, e, _ in template]
    midnights = [datetime(d.year, d.month, d.day) for d in days]
    slot_starts = [m + s for m in midnights for s in offsets_start]
    slot_ends = [m + e for m in midnights for e in offsets_end]
    # Slot k is taken when the intervals starting before its end reach past its start.
    # ends_before[i] = the largest end among the first i intervals (a sentinel for none).
    ends_before = [datetime.min, *index._max_ends]
    idx = map(partial(bisect_left, index._starts), slot_ends)
    taken = list(map(gt, map(ends_before.__getitem__, idx), slot_starts))
    counts = {}
    for n, day in enumerate(days):
        lo, hi = n * per_day, (n + 1) * per_day
        if slot_starts[lo] > now:  # the common case: nothing of this day has started
            t = sum(taken[lo:hi])
            counts[day] = (per_day - t, t)
        else:
            live = [k for k in range(lo, hi) if slot_starts[k] > now]
            t = sum(taken[k] for k in live)
            counts[day] = (len(live) - t, t)
    return counts

"""Closed days: weekly closed day, year-end closure (12/29 - 1/3), one-off closures."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from kiosk.domain.model import ClosureCalendar, Facility


class ClosureReason(StrEnum):
    WEEKLY = "weekly"  # the facility's regular closed day (定休日)
    YEAR_END = "year_end"  # 年末年始, 12/29 - 1/3
    ONE_OFF = "one_off"  # maintenance, elections, ...


def is_year_end(day: date) -> bool:
    """Whether ``day`` falls in the 年末年始 closure, 12/29 to 1/3 inclusive."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def closure_reason_for(closures: ClosureCalendar, day: date) -> ClosureReason | None:
    """Why the calendar ``closures`` keeps ``day`` closed, or None when open.

    When several reasons apply, the most specific one wins: a one-off closure is
    announced for that date, the year-end closure is seasonal, the weekly day is routine.
    """
    if day in closures.closed_dates:
        return ClosureReason.ONE_OFF
    if closures.year_end_closure and is_year_end(day):
        return ClosureReason.YEAR_END
    if day.weekday() in closures.weekly_closed:
        return ClosureReason.WEEKLY
    return None


def closure_reason(facility: Facility, day: date) -> ClosureReason | None:
    """Why ``facility`` is closed on ``day``, or None when it is open.

    >>> from kiosk.domain.model import ClosureCalendar, Facility
    >>> hall = Facility("f1", {"ja": "市民会館"}, closures=ClosureCalendar(weekly_closed=frozenset({0})))
    >>> closure_reason(hall, date(2026, 12, 29))
    <ClosureReason.YEAR_END: 'year_end'>
    >>> closure_reason(hall, date(2027, 1, 4))  # a Monday: the weekly closed day
    <ClosureReason.WEEKLY: 'weekly'>
    >>> closure_reason(hall, date(2027, 1, 5)) is None
    True
    """
    return closure_reason_for(facility.closures, day)

"""Time windows of the rules: when booking a day opens, until when it can be cancelled.

Both are counted in whole calendar days at 00:00 local time, as Japanese facilities
announce them ("3か月前の1日0時から", "利用日の3日前まで").
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from kiosk.domain.model import BookingRules, Residency


def advance_days(rules: BookingRules, residency: Residency) -> int:
    """How many days ahead a person of this residency may book."""
    if residency is Residency.RESIDENT:
        return rules.resident_advance_days
    return rules.non_resident_advance_days


def window_opens_at(day: date, residency: Residency, rules: BookingRules) -> datetime:
    """When booking ``day`` opens for this residency: 00:00, N days before ``day``.

    >>> from kiosk.domain.model import BookingRules, Residency
    >>> window_opens_at(date(2026, 7, 1), Residency.RESIDENT, BookingRules(resident_advance_days=90))
    datetime.datetime(2026, 4, 2, 0, 0)
    """
    opens = day - timedelta(days=advance_days(rules, residency))
    return datetime(opens.year, opens.month, opens.day)


def last_bookable_day(now: datetime, residency: Residency, rules: BookingRules) -> date:
    """The latest day whose booking window is open at ``now``."""
    return now.date() + timedelta(days=advance_days(rules, residency))


def is_window_open(day: date, now: datetime, residency: Residency, rules: BookingRules) -> bool:
    return day <= last_bookable_day(now, residency, rules)


def cancellation_deadline(day: date, rules: BookingRules) -> datetime:
    """Cancelling a booking on ``day`` is allowed strictly before this moment.

    >>> from kiosk.domain.model import BookingRules
    >>> cancellation_deadline(date(2026, 5, 10), BookingRules(cancellation_deadline_days=3))
    datetime.datetime(2026, 5, 7, 0, 0)
    """
    deadline = day - timedelta(days=rules.cancellation_deadline_days)
    return datetime(deadline.year, deadline.month, deadline.day)

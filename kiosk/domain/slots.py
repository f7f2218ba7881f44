"""Which slots a unit offers on a day, and which rules apply to it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

from kiosk.domain.calendar import closure_reason
from kiosk.domain.model import BookingMode, BookingRules, Facility, OpeningHours, Slot, Unit

_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)

SlotTemplate = tuple[tuple[timedelta, timedelta, "str | None"], ...]
"""A day's slots as (start, end, block_code) offsets from the day's 00:00."""


def _offset(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _span(start: time, end: time) -> tuple[timedelta, timedelta]:
    # An end at or before the start means "at the next midnight or later" (e.g. 24:00
    # written as 00:00); anything else would be an empty or negative span.
    s, e = _offset(start), _offset(end)
    if e <= s:
        e += _DAY
    return s, e


def slot_template(unit: Unit, facility: Facility) -> SlotTemplate:
    """The offsets of the slots ``unit`` offers on an open day, in time order.

    Block mode: the unit's blocks that lie entirely within the facility's opening hours.
    Hourly mode: every whole hour from the first full hour after opening to closing.
    Remembered per (mode, blocks, opening hours): the server checks every booking against
    it, and a city has only a handful of different ones.
    """
    blocks = tuple((b.code, b.start, b.end) for b in unit.blocks) if unit.mode is BookingMode.BLOCK else ()
    return _template(unit.mode, blocks, facility.opening)


@lru_cache(maxsize=1024)
def _template(mode: BookingMode, blocks: tuple[tuple[str, time, time], ...], opening: OpeningHours) -> SlotTemplate:
    opens, closes = _span(opening.opens, opening.closes)
    if mode is BookingMode.BLOCK:
        spans = []
        for code, start, end in blocks:
            s, e = _span(start, end)
            if opens <= s and e <= closes:
                spans.append((s, e, code))
        spans.sort(key=lambda item: (item[0], item[1]))
        return tuple(spans)
    # Hourly: start at the first whole hour at or after opening.
    first = timedelta(hours=-(-opens // _HOUR))
    hours = []
    start = first
    while start + _HOUR <= closes:
        hours.append((start, start + _HOUR, None))
        start += _HOUR
    return tuple(hours)


def slots_from_template(template: SlotTemplate, day: date) -> tuple[Slot, ...]:
    midnight = datetime(day.year, day.month, day.day)
    return tuple(Slot(midnight + s, midnight + e, code) for s, e, code in template)


def scheduled_slots(unit: Unit, facility: Facility, day: date) -> tuple[Slot, ...]:
    """The slots ``unit`` would offer on ``day`` if the facility were open that day."""
    return slots_from_template(slot_template(unit, facility), day)


def slots_for_day(unit: Unit, facility: Facility, day: date) -> tuple[Slot, ...]:
    """The slots ``unit`` offers on ``day``: its blocks, or whole hours; () when closed.

    >>> from kiosk.domain.model import Category, Facility, Unit
    >>> hall = Unit("u1", "f1", Category.HALL, {"ja": "ホール"}, capacity=300)
    >>> [(s.block_code, s.start.hour, s.end.hour) for s in slots_for_day(hall, Facility("f1", {"ja": "会館"}), date(2026, 5, 1))]
    [('morning', 9, 12), ('afternoon', 13, 17), ('evening', 18, 21)]
    """
    if closure_reason(facility, day) is not None:
        return ()
    return scheduled_slots(unit, facility, day)


def effective_rules(unit: Unit, city_rules: BookingRules) -> BookingRules:
    """The rules that apply to ``unit``: its own when it has them, else the city's.

    Idempotent, so rule functions may call it on rules a caller already resolved.
    """
    return unit.rules if unit.rules is not None else city_rules

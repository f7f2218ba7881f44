"""The server clock: the authority on "now" for every rule, in the city's time zone.

Rehearsals and tests may start the clock at a fixed city time that then runs on:
``MADOGUCHI_CLOCK_START=2026-11-25T10:00`` (read once, at import). Kiosks measure their
offset from ``GET /v1/time``, which reports this same clock, so a whole demo or test
city agrees on one "now".
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

CITY_TIME_ZONE = ZoneInfo("Asia/Tokyo")  # every Japanese city
CLOCK_START_ENV = "MADOGUCHI_CLOCK_START"


def _real_city_now() -> datetime:
    return datetime.now(CITY_TIME_ZONE).replace(tzinfo=None)


def _offset_from_env() -> timedelta:
    start = os.environ.get(CLOCK_START_ENV)
    if not start:
        return timedelta(0)
    return datetime.fromisoformat(start).replace(tzinfo=None) - _real_city_now()


_OFFSET = _offset_from_env()


def server_now() -> datetime:
    """Naive wall-clock time in the city's zone, to the second (as rules expect)."""
    return (_real_city_now() + _OFFSET).replace(microsecond=0)


def server_epoch_ms() -> int:
    """The same clock as Unix milliseconds: what kiosks measure their offset against."""
    return int((time.time() + _OFFSET.total_seconds()) * 1000)


def to_city_naive(value: datetime) -> datetime:
    """An aware datetime converted to city wall-clock time; naive ones are taken as-is."""
    if value.tzinfo is not None:
        value = value.astimezone(CITY_TIME_ZONE).replace(tzinfo=None)
    return value

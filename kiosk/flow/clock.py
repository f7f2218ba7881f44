"""The flow never reads the system clock itself: "now" comes from a Clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

CITY_TIME_ZONE = ZoneInfo("Asia/Tokyo")


class Clock(Protocol):
    def now(self) -> datetime:
        """Naive wall-clock time in the city's time zone."""


class SystemClock:
    """City time from the system clock, plus the server's offset once sync knows it."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(CITY_TIME_ZONE).replace(tzinfo=None) + self.offset


class FixedClock:
    """A clock for tests and rehearsals: stands still unless moved."""

    def __init__(self, now: datetime) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

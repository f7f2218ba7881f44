"""Inactivity: warn, count down, then expire. Plain Python over a monotonic clock.

The UI calls ``touch()`` on every interaction and ``status()`` once a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


MIN_WARNING_S = 30.0  # WCAG 2.2.1: time to answer before the session is wiped


class Phase(StrEnum):
    ACTIVE = "active"
    WARNING = "warning"  # show the "more time?" dialog with the countdown
    EXPIRED = "expired"  # wipe the session, back to the language screen


@dataclass(frozen=True)
class InactivityStatus:
    phase: Phase
    seconds_left: int  # until expiry


class InactivityTimer:
    def __init__(
        self,
        timeout_s: float = 120.0,
        warning_s: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.timeout_s = timeout_s
        # A person gets at least MIN_WARNING_S to answer "are you still there?", whatever
        # the configuration says; only a timeout under twice that (rehearsals, tests)
        # shortens it, as the warning never takes more than half the time.
        self.warning_s = min(max(warning_s, MIN_WARNING_S), timeout_s / 2)
        self._monotonic = monotonic
        self._last = monotonic()

    def touch(self) -> None:
        self._last = self._monotonic()

    def status(self) -> InactivityStatus:
        idle = self._monotonic() - self._last
        left = self.timeout_s - idle
        if left <= 0:
            return InactivityStatus(Phase.EXPIRED, 0)
        seconds_left = max(1, int(left + 0.999))
        if left <= self.warning_s:
            return InactivityStatus(Phase.WARNING, seconds_left)
        return InactivityStatus(Phase.ACTIVE, seconds_left)

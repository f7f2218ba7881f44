from __future__ import annotations

import pytest

from kiosk.flow import InactivityTimer, Phase


class FakeMonotonic:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_active_then_warning_then_expired():
    mono = FakeMonotonic()
    timer = InactivityTimer(120, 30, monotonic=mono)
    assert timer.status().phase is Phase.ACTIVE
    mono.t += 89
    assert timer.status().phase is Phase.ACTIVE
    mono.t += 2
    status = timer.status()
    assert status.phase is Phase.WARNING and status.seconds_left == 29
    mono.t += 29
    assert timer.status().phase is Phase.EXPIRED


def test_touch_restarts_the_wait():
    mono = FakeMonotonic()
    timer = InactivityTimer(10, 4, monotonic=mono)
    mono.t += 8
    assert timer.status().phase is Phase.WARNING
    timer.touch()
    assert timer.status() .phase is Phase.ACTIVE
    mono.t += 9.5
    assert timer.status().seconds_left == 1


def test_short_timeouts_keep_an_active_phase():
    timer = InactivityTimer(4, 30, monotonic=FakeMonotonic())
    assert timer.warning_s == 2


def test_timeout_must_be_positive():
    with pytest.raises(ValueError):
        InactivityTimer(0)


def test_a_person_always_gets_at_least_30_seconds_to_answer():
    # A kiosk configured with a 10 s warning still warns 30 s before the wipe.
    mono = FakeMonotonic()
    timer = InactivityTimer(120, 10, monotonic=mono)
    assert timer.warning_s == 30
    mono.t += 90.5
    status = timer.status()
    assert status.phase is Phase.WARNING and status.seconds_left == 30


def test_more_time_can_be_taken_again_and_again():
    mono = FakeMonotonic()
    timer = InactivityTimer(120, 30, monotonic=mono)
    for _ in range(5):  # warned, "more time", warned again...
        mono.t += 100
        assert timer.status().phase is Phase.WARNING
        timer.touch()
        assert timer.status().phase is Phase.ACTIVE
    mono.t += 121
    assert timer.status().phase is Phase.EXPIRED

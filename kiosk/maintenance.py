"""Housekeeping of a running kiosk: personal data lives on it only as long as it must.

A booking's contact details are needed on the kiosk only until the central server has
them (the outbox push): after ``contact_retention`` past its sync they are wiped, with
the pushed payload that repeated them. A booking made here is forgotten altogether
``past_booking_retention`` after its last slot ended. Unsynced bookings are never
touched: their details exist nowhere else yet. "Now" is the server-corrected clock,
the same clock sync stamps ``synced_at`` with.

    >>> from datetime import datetime, timedelta
    >>> from kiosk.flow.clock import FixedClock
    >>> policy = RetentionPolicy(contact_retention=timedelta(minutes=15))
    >>> cutoffs(policy, datetime(2026, 11, 25, 10, 0))[0]
    datetime.datetime(2026, 11, 25, 9, 45)
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionPolicy:
    contact_retention: timedelta = timedelta(minutes=15)  # after the server has them
    past_booking_retention: timedelta = timedelta(days=1)  # after the booking ended
    interval: timedelta = timedelta(minutes=1)  # how often to look

    @classmethod
    def from_config(cls, config) -> RetentionPolicy:
        return cls(timedelta(seconds=config.contact_retention_s),
                   timedelta(seconds=config.past_booking_retention_s),
                   timedelta(seconds=config.maintenance_interval_s))


@dataclass(frozen=True)
class PurgeReport:
    contacts_wiped: int
    bookings_forgotten: int


def cutoffs(policy: RetentionPolicy, now: datetime) -> tuple[datetime, datetime]:
    return now - policy.contact_retention, now - policy.past_booking_retention


def purge_once(cache, now: datetime, policy: RetentionPolicy) -> PurgeReport:
    contact_before, ended_before = cutoffs(policy, now)
    report = PurgeReport(cache.purge_personal_data(contact_before), cache.purge_past_bookings(ended_before))
    if report.contacts_wiped or report.bookings_forgotten:
        # counts only: what was wiped is exactly what must not reach a log
        log.info("purged contact details of %d booking(s), forgot %d past booking(s)",
                 report.contacts_wiped, report.bookings_forgotten)
    return report


class Maintenance:
    """Runs ``purge_once`` at start and then every ``policy.interval`` on a thread."""

    def __init__(self, cache, clock, policy: RetentionPolicy) -> None:
        self.cache = cache
        self.clock = clock
        self.policy = policy
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> PurgeReport | None:
        try:
            return purge_once(self.cache, self.clock.now(), self.policy)
        except Exception:  # a busy or broken cache: try again next round
            log.exception("personal-data purge failed")
            return None
        finally:
            self.runs += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.policy.interval.total_seconds())

    def start(self) -> Maintenance:
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="kiosk-maintenance", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

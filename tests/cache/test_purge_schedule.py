"""kiosk.maintenance: contact details of synced bookings wiped on schedule, past bookings
forgotten, unsynced ones never touched; the running task and its configuration."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from cache_helpers import make_booking

from kiosk.app import KioskConfig
from kiosk.flow.clock import FixedClock
from kiosk.maintenance import Maintenance, RetentionPolicy, purge_once

CONTACT = {"name": "山田 花子", "phone": "090-0000-0000"}
POLICY = RetentionPolicy(contact_retention=timedelta(minutes=15), past_booking_retention=timedelta(days=1))


def _record(cache, n, synced_at=None, **kw):
    booking = make_booking(n, **kw)
    cache.record_booking(booking, CONTACT, {"kind": "book", "booking_id": booking.id, "contact": CONTACT})
    if synced_at is not None:
        cache.mark_outbox_done(booking.id, {"outcome": "applied"}, now=synced_at)
    return booking


def test_contact_is_wiped_only_after_the_retention_past_sync(cache):
    synced = datetime(2027, 1, 10, 10, 0)
    done = _record(cache, 1, synced_at=synced)
    pending = _record(cache, 2, blocks=((13, 17),))
    assert purge_once(cache, synced + timedelta(minutes=14), POLICY).contacts_wiped == 0
    assert cache.booking_contact(done.id) == CONTACT
    report = purge_once(cache, synced + timedelta(minutes=16), POLICY)
    assert report.contacts_wiped == 1
    assert cache.booking_contact(done.id) is None
    assert cache.outbox_entry(done.id).payload == {}  # the pushed copy too
    # never synced: its details exist nowhere else yet
    assert cache.booking_contact(pending.id) == CONTACT
    assert cache.outbox_entry(pending.id).payload["contact"] == CONTACT


def test_past_bookings_are_forgotten_a_day_after_they_ended(cache):
    done = _record(cache, 1, synced_at=datetime(2027, 1, 10, 10, 0))  # 2027-02-03 9:00-12:00
    unsynced = _record(cache, 2, blocks=((13, 17),))
    assert purge_once(cache, datetime(2027, 2, 4, 11, 0), POLICY).bookings_forgotten == 0
    assert purge_once(cache, datetime(2027, 2, 4, 12, 1), POLICY).bookings_forgotten == 1
    assert cache.get_booking(done.id) is None
    assert cache.get_booking(unsynced.id) is not None


def test_the_task_runs_on_its_schedule_with_the_clock_it_is_given(cache):
    synced = datetime(2027, 1, 10, 10, 0)
    done = _record(cache, 1, synced_at=synced)
    clock = FixedClock(synced + timedelta(minutes=1))
    policy = RetentionPolicy(timedelta(minutes=15), timedelta(days=1), interval=timedelta(seconds=0.05))
    task = Maintenance(cache, clock, policy).start()
    try:
        deadline = time.monotonic() + 5
        while task.runs < 3:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert cache.booking_contact(done.id) == CONTACT
        clock.advance(timedelta(minutes=20))
        while cache.booking_contact(done.id) is not None:
            assert time.monotonic() < deadline, "the schedule did not purge"
            time.sleep(0.02)
    finally:
        task.stop()


def test_retention_is_configurable_from_the_environment():
    config = KioskConfig.from_env({"MADOGUCHI_CONTACT_RETENTION_S": "60",
                                   "MADOGUCHI_PAST_BOOKING_RETENTION_S": "3600",
                                   "MADOGUCHI_MAINTENANCE_INTERVAL_S": "5"})
    policy = RetentionPolicy.from_config(config)
    assert policy == RetentionPolicy(timedelta(minutes=1), timedelta(hours=1), timedelta(seconds=5))
    assert RetentionPolicy.from_config(KioskConfig()).contact_retention == timedelta(minutes=15)

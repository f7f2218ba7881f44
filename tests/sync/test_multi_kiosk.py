"""Kiosks and a real central server process on 127.0.0.1, on SQLite and PostgreSQL:
live visibility, a server SIGKILLed mid-push, and an offline booking that loses the race.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from kiosk.domain.model import BookingStatus
from kiosk.flow import State
from sync.client import SyncError
from sync.server.db import Database

from .conftest import client, open_day, seed
from .faultproxy import FaultProxy
from .kiosk_harness import (
    killing_servers,
    Kiosk,
    assert_applied_once,
    assert_converged,
    assert_no_overlapping_holds,
    book_direct,
    bookable,
    server_mutations,
    server_rows,
    wait_until,
)

servers = pytest.fixture(killing_servers)
TENANT = "122999"


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    from kiosk.tools import compile_catalogs

    compile_catalogs.main([])


@pytest.fixture
def kiosks_made():
    made: list[Kiosk] = []
    yield made
    for k in made:
        k.close()


def test_a_books_and_b_shows_the_unit_taken_within_2_seconds(tmp_path, db_url, servers, kiosks_made):
    tenant = seed(db_url, {TENANT: ["kiosk-a", "kiosk-b"]})[TENANT]
    server = servers(db_url)
    a = Kiosk(tmp_path / "a.sqlite", server.url, tenant.kiosk_tokens["kiosk-a"])
    # B waits on the live channel (a long-poll), not on a periodic pull
    b = Kiosk(tmp_path / "b.sqlite", server.url, tenant.kiosk_tokens["kiosk-b"], long_poll=5.0)
    kiosks_made += [a, b]
    day = open_day()
    b.to_time_blocks(day)
    assert b.flow.screen().slots[0].enabled
    time.sleep(0.3)  # B's pull loop is parked in its long-poll now
    a.to_confirm(day, block=0)
    a.flow.select_book()
    booked = time.monotonic()
    assert a.flow.session.booking.status is BookingStatus.CONFIRMED

    def b_shows_taken():
        slot = b.flow.screen().slots[0]
        return not slot.enabled and slot.detail == "Taken"

    wait_until(b_shows_taken, 5.0, "B to show the block taken")
    elapsed = time.monotonic() - booked
    assert elapsed < 2.0, f"B saw A's booking after {elapsed:.2f} s"
    server.kill()  # B's long-poll is still open: do not wait for a graceful stop


def test_server_killed_during_a_push_loses_and_duplicates_nothing(tmp_path, db_url, servers, kiosks_made):
    tenant = seed(db_url, {TENANT: ["kiosk-a"]})[TENANT]
    server = servers(db_url)
    k = Kiosk(tmp_path / "a.sqlite", server.url, tenant.kiosk_tokens["kiosk-a"], start=False, timeout=5.0)
    kiosks_made.append(k)
    k.engine.batch = 100  # one request carries every mutation: the kill lands inside it
    now = k.engine.server_now()
    made = []
    for i, (unit, slot) in enumerate(bookable()):
        booking = book_direct(k.cache, unit, slot, f"p{i}", now)
        if booking is not None:
            made.append(booking)
        if len(made) == 100:
            break
    assert len(made) == 100
    watch = Database(db_url)
    applied_at_kill = 0
    try:
        errors: list[BaseException] = []

        def push() -> None:
            try:
                k.engine.push()
            except SyncError as exc:
                errors.append(exc)

        pusher = threading.Thread(target=push)
        pusher.start()

        def applied() -> int:
            with watch.read() as c:
                return int(c.one("SELECT count(*) AS n FROM mutations")["n"])

        wait_until(lambda: applied() >= 5, 20, "the server to start applying the batch", step=0.001)
        server.kill()
        applied_at_kill = applied()
        pusher.join(20)
    finally:
        watch.close()
    assert 0 < applied_at_kill < 100, f"the kill missed the push ({applied_at_kill} applied)"
    assert errors, "the push should have failed with the server gone"
    assert len(k.cache.outbox_pending(1000)) == 100  # no answer stored: all to push again

    server.start()
    outcomes = k.engine.push()
    assert len(outcomes) == 100 and all(o.accepted for o in outcomes)
    assert sum(o.replayed for o in outcomes) == applied_at_kill  # answered from the store
    mutations = server_mutations(db_url, TENANT)
    assert set(mutations) == {b.id for b in made}
    bookings = assert_applied_once(db_url, TENANT)
    assert set(bookings) == {b.id for b in made}
    assert {r["status"] for r in bookings.values()} == {"confirmed"}
    assert assert_no_overlapping_holds(db_url) == 100
    k.engine.pull()
    assert_converged(k.cache, db_url, TENANT, now)


def test_offline_booking_that_lost_the_race_is_rejected_followed_up_and_shown(
        tmp_path, db_url, servers, kiosks_made):
    tenant = seed(db_url, {TENANT: ["kiosk-a", "kiosk-b"]})[TENANT]
    server = servers(db_url)
    proxy = FaultProxy(server.url, faulty_paths=()).start()  # A's only way to the server
    try:
        a = Kiosk(tmp_path / "a.sqlite", proxy.url, tenant.kiosk_tokens["kiosk-a"])
        b = Kiosk(tmp_path / "b.sqlite", server.url, tenant.kiosk_tokens["kiosk-b"])
        kiosks_made += [a, b]
        assert a.link.online()
        proxy.down = True  # A's network is cut
        wait_until(lambda: not a.link.online(), 10, "A to notice it is offline")
        time.sleep(1.0)  # its loops keep running (an empty outbox is no news of the server)
        assert not a.link.online()
        day = open_day()
        a.to_confirm(day, "Ann Lee", "0312345678", block=1)
        assert a.flow.screen().chrome.connection == "Offline"
        a.flow.select_book()
        assert a.flow.state is State.DONE and a.flow.screen().tone == "provisional"
        a_booking = a.flow.session.booking

        b.to_confirm(day, "Bo Kim", "0311112222", block=1)
        b.flow.select_book()
        b_booking = b.flow.session.booking
        assert b_booking.status is BookingStatus.CONFIRMED

        proxy.down = False  # A reconnects; the person is still on the done screen
        wait_until(lambda: a.cache.get_booking(a_booking.id).status is not BookingStatus.PROVISIONAL,
                   15, "A's provisional booking to be settled")
        screen = a.flow.screen()
        assert screen.tone == "rejected" and screen.chrome.title == "Your booking could not be confirmed"
        assert screen.status_lines[1] == "Someone else booked the same time while the kiosk was offline."

        statuses = {r["id"]: r["status"] for r in server_rows(
            db_url, "SELECT id, status FROM bookings WHERE tenant = ?", (TENANT,))}
        assert statuses == {a_booking.id: "rejected", b_booking.id: "confirmed"}
        with client(server, tenant.staff_token) as staff:
            followups = staff.get("/v1/staff/followups").json()
        [followup] = followups
        assert followup["booking_id"] == a_booking.id and followup["booking_code"] == a_booking.code
        assert [v["code"] for v in followup["violations"]] == ["slot_taken"]
        assert followup["contact"]["name"] == "Ann Lee"  # staff can phone the person
        wait_until(lambda: a.cache.busy_between(b_booking.unit_id, b_booking.start, b_booking.end),
                   5, "A to learn B's booking")
        since = a.engine.server_now() - timedelta(hours=1)
        for k in (a, b):
            assert_converged(k.cache, db_url, TENANT, since)
    finally:
        proxy.close()

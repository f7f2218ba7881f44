"""Kiosks for the multi-kiosk tests: a real cache file, a real SyncEngine over HTTP, a
flow on the server's clock. Plus the checks every fault test ends with."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from kiosk.cache import Cache
from kiosk.domain.model import Residency
from kiosk.flow import KioskFlow, State
from kiosk.opendata import load_city, sample_city_dir
from kiosk.server_link import LinkClock, SyncedServerLink
from sync.client import SyncEngine
from sync.server.db import Database

_CITY = None


def city():
    global _CITY
    if _CITY is None:
        _CITY = load_city(sample_city_dir())
    return _CITY


class Kiosk:
    """One kiosk: its own cache file, sync engine (started) and flow."""

    def __init__(self, path: Path, url: str, token: str, *, long_poll: float = 1.0,
                 push_interval: float = 0.2, timeout: float = 2.0, start: bool = True,
                 confirm_timeout: float = 3.0, **engine_kw) -> None:
        self.path, self.url, self.token = path, url, token
        self.cache = Cache.open(path)
        self.cache.load_city(city())
        self.engine = SyncEngine(self.cache, url, token, timeout=timeout,
                                 long_poll_seconds=long_poll, push_interval=push_interval, **engine_kw)
        self.link = SyncedServerLink(self.engine)
        self.confirm_timeout = confirm_timeout
        if start:
            self.link.start()
        self.flow = self.new_flow()

    def new_flow(self) -> KioskFlow:
        return KioskFlow(self.cache, LinkClock(self.link), link=self.link,
                         confirm_timeout_s=self.confirm_timeout)

    def to_time_blocks(self, day: date, *, lang: str = "en", category: str = "hall",
                       unit: str = "chuo-hall", flow: KioskFlow | None = None) -> KioskFlow:
        f = flow or self.flow
        f.select_language(lang)
        f.select_task()
        f.select_category(category)
        f.select_unit(unit)
        f.select_day(day)
        return f

    def to_confirm(self, day: date, name: str = "Ann Lee", phone: str = "0312345678", *,
                   block: int = 0, **kw) -> KioskFlow:
        f = self.to_time_blocks(day, **kw)
        f.screen().slots[block].run()
        f.select_slots()
        f.select_identify_method("guest")
        f.select_guest_details(name, phone, Residency.RESIDENT)
        assert f.state is State.CONFIRM, f.notices_text()
        return f

    def close(self) -> None:
        self.link.close()
        self.cache.close()


def wait_until(predicate: Callable[[], object], timeout: float, what: str, step: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)


# -- what the server holds ----------------------------------------------------------------

def server_rows(db_url: str, sql: str, params: tuple = ()) -> list[dict]:
    db = Database(db_url)
    try:
        with db.read() as c:
            return [dict(r) for r in c.all(sql, params)]
    finally:
        db.close()


def _dt(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def assert_no_overlapping_holds(db_url: str) -> int:
    """No two time-holding slots of one unit overlap (what the database must prevent)."""
    rows = server_rows(db_url, "SELECT tenant, unit_id, booking_id, start_at, end_at FROM booking_slots"
                               " WHERE holds ORDER BY tenant, unit_id, start_at")
    for a, b in zip(rows, rows[1:]):
        if (a["tenant"], a["unit_id"]) == (b["tenant"], b["unit_id"]):
            assert _dt(a["end_at"]) <= _dt(b["start_at"]), f"overlap: {a} / {b}"
    return len(rows)


def assert_applied_once(db_url: str, tenant: str) -> dict[str, dict]:
    """Each booking's effects were applied once: its change log has one 'confirmed'
    entry per slot at most, one 'cancelled' entry per slot at most, and a rejected
    booking none. Returns the server's bookings by id."""
    bookings = {r["id"]: r for r in server_rows(
        db_url, "SELECT id, status, unit_id, provisional FROM bookings WHERE tenant = ?", (tenant,))}
    slots: dict[str, int] = {}
    for r in server_rows(db_url, "SELECT booking_id FROM booking_slots WHERE tenant = ?", (tenant,)):
        slots[r["booking_id"]] = slots.get(r["booking_id"], 0) + 1
    logged: dict[tuple[str, str], int] = {}
    for r in server_rows(db_url, "SELECT booking_id, status FROM changes WHERE tenant = ?", (tenant,)):
        key = (r["booking_id"], r["status"])
        logged[key] = logged.get(key, 0) + 1
    for (booking_id, status), n in logged.items():
        assert n == slots[booking_id], f"{booking_id}: {n} '{status}' changes for {slots[booking_id]} slot(s)"
    for booking_id, row in bookings.items():
        confirmed = logged.get((booking_id, "confirmed"), 0)
        if row["status"] == "rejected":
            assert confirmed == 0, f"rejected {booking_id} was logged as confirmed"
        else:
            assert confirmed == slots[booking_id], f"{booking_id} {row['status']}: confirmed {confirmed}x"
        if row["status"] == "cancelled":
            assert logged.get((booking_id, "cancelled"), 0) == slots[booking_id]
    return bookings


def server_mutations(db_url: str, tenant: str) -> dict[str, dict]:
    return {r["mutation_id"]: {**r, "result": json.loads(r["result"])} for r in server_rows(
        db_url, "SELECT mutation_id, kind, result FROM mutations WHERE tenant = ?", (tenant,))}


def assert_converged(kiosk_cache: Cache, db_url: str, tenant: str, since: datetime) -> None:
    """The kiosk's outbox is empty, its own bookings carry the server's status, and its
    busy times equal the server's holding slots (from ``since`` on)."""
    assert kiosk_cache.outbox_pending(1000) == [], "outbox not drained"
    server = {r["id"]: r["status"] for r in server_rows(
        db_url, "SELECT id, status FROM bookings WHERE tenant = ?", (tenant,))}
    for row in kiosk_cache._rows("SELECT id, status FROM local_bookings"):
        assert row["id"] in server, f"local booking {row['id']} never reached the server"
        assert row["status"] == server[row["id"]], f"{row['id']}: kiosk {row['status']}, server {server[row['id']]}"
    expected = {(r["booking_id"], _dt(r["start_at"]).isoformat(), _dt(r["end_at"]).isoformat(), r["unit_id"])
                for r in server_rows(db_url, "SELECT booking_id, unit_id, start_at, end_at FROM booking_slots"
                                             " WHERE tenant = ? AND holds AND end_at > ?", (tenant, since))}
    have = {(r["booking_id"], r["start"], r["end"], r["unit_id"])
            for r in kiosk_cache._rows('SELECT booking_id, start, "end", unit_id FROM busy WHERE "end" > ?',
                                       (since.isoformat(),))}
    assert have == expected, f"busy differs: missing {expected - have}, extra {have - expected}"


# -- booking without the screens (the flow's own service) ----------------------------------

def bookable(min_days: int = 10, days: int = 40, units: tuple[str, ...] | None = None, *,
             today: date | None = None):
    """(unit, slot) pairs a resident may book, from ``min_days`` ahead, in a stable order."""
    from datetime import timedelta

    from kiosk.domain.calendar import closure_reason
    from kiosk.domain.model import OfflinePolicy
    from kiosk.domain.slots import scheduled_slots
    from sync.server.clock import server_now

    c = city()
    facilities = {f.id: f for f in c.facilities}
    today = today or server_now().date()
    for offset in range(min_days, min_days + days):
        day = today + timedelta(days=offset)
        for unit in c.units:
            if unit.group_only or unit.offline_policy is OfflinePolicy.ONLINE_ONLY:
                continue
            if units and unit.id not in units:
                continue
            facility = facilities[unit.facility_id]
            if closure_reason(facility, day) is not None:
                continue
            for slot in scheduled_slots(unit, facility, day):
                yield unit, slot


def book_direct(cache, unit, slot, person: str, now: datetime, *, online: bool = False, rng=None):
    """Book through ``BookingService`` as the flow does; the booking, or None if a rule
    (as the kiosk sees it) refuses it."""
    from kiosk.flow.booking import BookingDraft, BookingService

    draft = BookingDraft(unit=unit, slots=(slot,), residency=Residency.RESIDENT, person_key=person)
    booking, violations = BookingService(cache).book(
        draft, {"name": f"Person {person}", "phone": "0312345678"}, now, online, rng)
    return booking


def killing_servers(tmp_path):
    """Like conftest's ``server_factory``, but SIGKILLs at the end: a kiosk's live
    stream may still be open, and a graceful stop would wait for it."""
    from sync.server.process import ServerProcess

    started: list[ServerProcess] = []

    def make(db_url: str, env: dict[str, str] | None = None) -> ServerProcess:
        srv = ServerProcess(db_url, log_path=tmp_path / f"server-{len(started)}.log", env=env).start()
        started.append(srv)
        return srv

    try:
        yield make
    finally:
        for srv in started:
            srv.kill()
            srv.close()

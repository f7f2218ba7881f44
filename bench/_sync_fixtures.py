"""Shared set-up of the sync benchmarks: a server database seeded in bulk, a server
process on loopback, a fresh kiosk cache.

Bookings are written straight into the server's tables (as the server itself would
have stored them), so seeding 100k of them takes seconds, not the minutes the API
would need; every benchmark then goes through the real HTTP API.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.opendata import sample_city_dir
from sync.server.clock import server_now
from sync.server.db import Database
from sync.server.migrations import migrate
from sync.server.tenants import add_tenant, enrol

PG_ADMIN_URL = os.environ.get("MADOGUCHI_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TENANT = "midori"


@contextmanager
def database_url(kind: str) -> Iterator[str]:
    """A fresh, empty server database: ``kind`` "sqlite" (a temp file) or "postgres"
    (a new database on the local server, dropped afterwards)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mdg-bench-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'server.sqlite'}"
        return
    import psycopg

    admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    name = f"mdg_bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def seed_tenant(db_url: str, kiosks: int = 2, city_dir: Path | None = None) -> dict[str, str]:
    """The tenant with its kiosks; returns {kiosk name: token} plus "staff"."""
    db = Database(db_url)
    try:
        migrate(db)
        add_tenant(db, TENANT, city_dir or sample_city_dir())
        tokens = {f"k{i}": enrol(db, TENANT, f"k{i}", "kiosk") for i in range(kiosks)}
        tokens["staff"] = enrol(db, TENANT, "staff-1", "staff")
        return tokens
    finally:
        db.close()


def bulk_bookings(db_url: str, n: int, *, start_day: datetime | None = None, prefix: str = "seed") -> None:
    """``n`` confirmed one-hour bookings spread over every unit of the sample city from
    today on, none overlapping, with their change-feed rows."""
    from kiosk.opendata import load_city

    units = [u.id for u in load_city(sample_city_dir()).units]
    day0 = (start_day or server_now()).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    now = server_now()
    db = Database(db_url)
    try:
        with db.write() as c:
            head = int(c.one("SELECT seq FROM tenants WHERE code = ?", (TENANT,))["seq"])
            bookings, slots, changes = [], [], []
            for i in range(n):
                unit = units[i % len(units)]
                k = i // len(units)
                start = day0 + timedelta(days=k // 12, hours=9 + k % 12)
                bid = f"{prefix}-{i:07d}"
                bookings.append((TENANT, bid, f"S{i:07d}", unit, "confirmed", "resident", 400, f"p{i % 5000}",
                                 None, '{"name": "x"}', "{}", None, 0, None, now, now))
                slots.append((TENANT, bid, unit, start, start + timedelta(hours=1), None, True))
                changes.append((TENANT, head + i + 1, bid, unit, start, start + timedelta(hours=1), "confirmed"))
            c.executemany(
                "INSERT INTO bookings (tenant, id, code, unit_id, status, residency, total_yen, person_key,"
                " group_id, contact, request, credential_id, provisional, status_reason, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", bookings)
            c.executemany(
                "INSERT INTO booking_slots (tenant, booking_id, unit_id, start_at, end_at, block_code, holds, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'confirmed')", slots)
            c.executemany(
                "INSERT INTO changes (tenant, seq, booking_id, unit_id, start_at, end_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", changes)
            c.execute("UPDATE tenants SET seq = ? WHERE code = ?", (head + n, TENANT))
    finally:
        db.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms,"
            f" min {min(ms):.1f} ms, max {max(ms):.1f} ms (n={len(ms)})")


def bookable_slots(units: list[str] | None = None, first_day: int = 10, last_day: int = 80,
                   city_dir: Path | None = None) -> Iterator[tuple[str, datetime, datetime, str | None]]:
    """(unit_id, start, end, block_code) that every server rule accepts for a resident,
    day by day, unit by unit: open days inside the booking window."""
    from kiosk.domain.slots import slots_for_day
    from kiosk.opendata import load_city

    city = load_city(city_dir or sample_city_dir())
    facilities = {f.id: f for f in city.facilities}
    chosen = [u for u in city.units if units is None or u.id in units]
    today = server_now().date()
    for offset in range(first_day, last_day):
        day = today + timedelta(days=offset)
        for unit in chosen:
            for slot in slots_for_day(unit, facilities[unit.facility_id], day):
                yield unit.id, slot.start, slot.end, slot.block_code


def book_payload(booking_id: str, unit_id: str, start: datetime, end: datetime, block: str | None,
                 person: str | None = None) -> dict:
    return {
        "mutation_id": booking_id, "kind": "book",
        "booking": {
            "booking_id": booking_id, "code": "BENCH-1", "unit_id": unit_id,
            "slots": [{"start": start.isoformat(), "end": end.isoformat(), "block_code": block}],
            "residency": "resident", "person_key": person or f"p-{booking_id}",
            "contact": {"name": "bench"},
        },
    }

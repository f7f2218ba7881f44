"""The reads of a booking batch (sync/server/booking_batch.py) cost what the batch holds,
not what the table holds, on a fresh PostgreSQL database whose tables have no planner
statistics yet: the state of a new server in its first opening-hour rush.

Without statistics PostgreSQL rates ``tenant = ?`` as selective and once answered
``id = ANY(...)`` by reading every row of the tenant; the batch's reads grew from 0.4 to
2.7 ms over 6,000 bookings. Here every scan the reads run is checked, with EXPLAIN
ANALYZE, to touch no more rows than a small multiple of the keys asked about.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sync.protocol import BookMutation
from sync.server.booking_batch import _fact_queries
from sync.server.bookings import BookingService
from sync.server.cities import CityRegistry
from sync.server.clock import server_now
from sync.server.db import Database
from sync.server.tenants import CredentialCache

from .conftest import book_mutation, open_day, seed

pytestmark = pytest.mark.postgres

BOOKED = 3000  # rows in each table before the batch looked at
ASKED = 25  # mutations in the batch


def _scans(plan: dict) -> list[dict]:
    found = [plan] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def test_batch_reads_look_up_keys_however_large_the_unanalysed_tables(pg_url: str) -> None:
    tenants = seed(pg_url, {"midori": ["k1"]})
    db = Database(pg_url)
    try:
        cred = CredentialCache(db).lookup(tenants["midori"].kiosk_tokens["k1"])
        service = BookingService(db, CityRegistry(db), on_change=lambda tenant: None)
        with db.write() as c:  # the state of a new server: no statistics, whatever happens meanwhile
            for table in ("bookings", "booking_slots", "mutations"):
                c.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        first = open_day(min_days=10)
        units = ["chuo-hall", "chuo-meeting-1", "chuo-meeting-2", "chuo-washitsu", "chuo-cooking"]
        blocks = ("morning", "afternoon", "evening")
        # every block of five rooms, day after day: about a thousand confirmed, the
        # rest refused (closed days, beyond the booking window) but stored all the same
        earlier = [BookMutation.model_validate(book_mutation(f"b{i}", units[i % 5], first + timedelta(days=i // 15),
                                                             blocks[i // 5 % 3]))
                   for i in range(BOOKED)]
        for i in range(0, BOOKED, 100):
            service.apply_books([(cred, m) for m in earlier[i:i + 100]])
        with db.read() as c:
            holding = c.one("SELECT count(*) AS n FROM booking_slots WHERE holds")["n"]
        assert holding > 500
        # the persons of earlier bookings (their quota is counted), all on one room and day
        batch = [BookMutation.model_validate(book_mutation(f"new{i}", units[0], first, person=f"p-b{i}"))
                 for i in range(ASKED)]
        with db.write() as c:
            c.execute("SET LOCAL plan_cache_mode TO force_custom_plan")
            for kind, sql, params in _fact_queries(c, "midori", batch, server_now()):
                row = c.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchone()
                plan = row["QUERY PLAN"]
                plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
                for scan in _scans(plan):
                    read = scan["Actual Rows"] * scan["Actual Loops"] + scan.get("Rows Removed by Filter", 0)
                    assert read <= 4 * ASKED, (kind, scan["Node Type"], scan["Relation Name"], read)
            c.raw.rollback()
    finally:
        db.close()

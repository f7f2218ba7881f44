"""Server migrations on both databases: an empty database migrates, a second run is a
no-op, concurrent migrators do not trip over each other, and the database itself (not
the application) refuses a double booking."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest

from sync.server.db import Database, IntegrityConflict
from sync.server.migrations import MIGRATIONS, migrate

from .conftest import seed


def schema(db: Database) -> list:
    with db.read() as c:
        if db.dialect == "sqlite":
            return c.all("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name")
        return c.all(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY 1, 2"
        ) + c.all("SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint"
                  " WHERE connamespace = 'public'::regnamespace ORDER BY 1") + c.all(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")


def test_empty_database_migrates_and_a_rerun_is_a_no_op(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert migrate(db) == MIGRATIONS[-1][0]
        before = schema(db)
        with db.read() as c:
            versions = [r["version"] for r in c.all("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == [m[0] for m in MIGRATIONS]
        assert migrate(db) == MIGRATIONS[-1][0]
        assert schema(db) == before
        with db.read() as c:
            assert c.one("SELECT COUNT(*) AS n FROM schema_migrations")["n"] == len(MIGRATIONS)
    finally:
        db.close()


def test_migrations_are_numbered_in_order_with_the_core_in_1_to_19() -> None:
    versions = [m[0] for m in MIGRATIONS]
    assert versions == sorted(set(versions))  # applied in list order, each once
    core = [v for v in versions if v < 20]  # other parts number theirs from 20 on
    assert core == list(range(1, len(core) + 1))


def test_concurrent_migrators(db_url: str) -> None:
    def run(_: int) -> int:
        db = Database(db_url)
        try:
            return migrate(db)
        finally:
            db.close()

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(run, range(4))) == {MIGRATIONS[-1][0]}


def test_the_database_itself_refuses_overlaps(db_url: str) -> None:
    seed(db_url, {"midori": []})
    db = Database(db_url)
    start = datetime(2030, 5, 1, 9)
    insert = ("INSERT INTO booking_slots (tenant, booking_id, unit_id, start_at, end_at, block_code, holds, status)"
              " VALUES (?, ?, ?, ?, ?, NULL, ?, 'confirmed')")
    try:
        if db.dialect == "postgresql":
            with db.read() as c:
                assert c.one("SELECT 1 AS ok FROM pg_extension WHERE extname = 'btree_gist'")
                con = c.one("SELECT contype, pg_get_constraintdef(oid) AS def FROM pg_constraint"
                            " WHERE conname = 'no_double_booking'")
            assert con["contype"] == "x"
            assert "gist" in con["def"] and "tsrange(start_at, end_at)" in con["def"] and "&&" in con["def"]
        with db.write() as c:
            c.execute(insert, ("midori", "b1", "hall", start, start + timedelta(hours=3), True))
            # touching ends do not overlap; another unit or tenant-less row is another room
            c.execute(insert, ("midori", "b2", "hall", start + timedelta(hours=3), start + timedelta(hours=4), True))
            c.execute(insert, ("midori", "b3", "room", start, start + timedelta(hours=3), True))
            # a slot that no longer holds time never blocks
            c.execute(insert, ("midori", "b4", "hall", start, start + timedelta(hours=1), False))
        for bad in [(start + timedelta(hours=1), start + timedelta(hours=2)),
                    (start - timedelta(hours=1), start + timedelta(minutes=1))]:
            with pytest.raises(IntegrityConflict) as caught, db.write() as c:
                c.execute(insert, ("midori", "clash", "hall", *bad, True))
            assert caught.value.kind == "exclusion"
        # a cancelled slot set to hold time again while overlapping: refused too
        with pytest.raises(IntegrityConflict), db.write() as c:
            c.execute("UPDATE booking_slots SET holds = ? WHERE booking_id = 'b4'", (True,))
        with pytest.raises(Exception), db.write() as c:  # longer than a day: refused
            c.execute(insert, ("midori", "long", "gym", start, start + timedelta(days=2), True))
    finally:
        db.close()


def test_workers_opening_a_fresh_sqlite_file_together_all_get_wal(tmp_path) -> None:
    """Switching to WAL needs a moment alone with the file; SQLite answers "database is
    locked" at once (no busy wait) when several connections try together. Seen in CI as
    a failed migrator; the server's connections retry instead."""
    import threading

    for trial in range(40):
        url = f"sqlite:///{tmp_path / f'fresh-{trial}.sqlite'}"
        start = threading.Barrier(8)
        errors: list[BaseException] = []
        modes: list[str] = []

        def open_one() -> None:
            db = Database(url)
            try:
                start.wait()
                with db.read() as c:
                    modes.append(c.one("PRAGMA journal_mode")["journal_mode"])
            except BaseException as exc:  # collected: a thread's failure must fail the test
                errors.append(exc)
            finally:
                db.close()

        threads = [threading.Thread(target=open_one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[0]
        assert modes == ["wal"] * 8

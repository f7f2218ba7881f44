"""The cache schema, as a numbered, append-only list of migrations.

``PRAGMA user_version`` holds how many have run. To change the schema, APPEND a
``Migration`` (never edit or reorder one that has shipped): each runs once, in its own
transaction together with the version bump, so a crash mid-migration leaves the
previous version intact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlite3


@dataclass(frozen=True)
class Migration:
    description: str
    apply: str | Callable[[sqlite3.Connection], None]  # SQL script, or a function


MIGRATIONS: list[Migration] = [
    Migration("city, facilities, units, busy, local bookings, outbox, sync state", """
        CREATE TABLE city (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            code TEXT NOT NULL,
            names TEXT NOT NULL,               -- JSON LocalizedText
            prefecture TEXT NOT NULL DEFAULT '',
            rules TEXT NOT NULL,               -- JSON BookingRules
            exemptions TEXT NOT NULL,          -- JSON {code: Exemption}
            resident_address_prefixes TEXT NOT NULL,  -- JSON list
            facility_numbers TEXT NOT NULL DEFAULT '{}',
            facility_records TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE facilities (
            id TEXT PRIMARY KEY,
            position INTEGER NOT NULL,
            data TEXT NOT NULL                 -- JSON Facility
        );
        CREATE TABLE units (
            id TEXT PRIMARY KEY,
            facility_id TEXT NOT NULL,
            category TEXT NOT NULL,
            position INTEGER NOT NULL,
            data TEXT NOT NULL                 -- JSON Unit (names, rates, blocks...)
        );
        CREATE INDEX units_by_category ON units (category, position);
        -- Only intervals that hold time (provisional, confirmed); nothing personal.
        CREATE TABLE busy (
            booking_id TEXT NOT NULL,
            start TEXT NOT NULL,               -- 'YYYY-MM-DDTHH:MM:SS', local time
            "end" TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (booking_id, start)
        );
        -- Covering index: busy_between reads the index alone.
        CREATE INDEX busy_by_unit_start ON busy (unit_id, start, "end", status);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
        INSERT INTO meta (key, value) VALUES ('busy_max_span_s', 0);
        -- Bookings made on this kiosk. contact is personal data: wiped once synced.
        CREATE TABLE local_bookings (
            id TEXT PRIMARY KEY,
            code TEXT NOT NULL,
            code_key TEXT NOT NULL UNIQUE,     -- code upper-cased, without '-' or spaces
            unit_id TEXT NOT NULL,
            slots TEXT NOT NULL,               -- JSON [{start, end, block}]
            status TEXT NOT NULL,
            status_reason TEXT,
            residency TEXT NOT NULL,
            total_yen INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            person_key TEXT,                   -- pseudonymous, never the My Number
            contact TEXT,                      -- JSON; NULL once purged
            synced_at TEXT
        );
        CREATE INDEX local_bookings_by_person ON local_bookings (person_key);
        CREATE TABLE outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            mutation_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL,             -- JSON
            booking_id TEXT,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            result TEXT,                       -- JSON, the server's answer
            done_at TEXT
        );
        CREATE INDEX outbox_by_state ON outbox (state, seq);
        CREATE TABLE sync_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            cursor TEXT,
            last_synced_at TEXT,
            clock_offset_ms INTEGER NOT NULL DEFAULT 0
        );
        INSERT INTO sync_state (id) VALUES (1);
    """),
]


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> int:
    """Run the migrations this file has not had yet. Returns the new version.

    ``conn`` must be in autocommit mode (isolation_level=None).
    """
    migrations = MIGRATIONS if migrations is None else migrations
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(migrations):
        raise RuntimeError(f"cache schema version {version} is newer than this program ({len(migrations)})")
    for number, migration in enumerate(migrations[version:], version + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if isinstance(migration.apply, str):
                for statement in _statements(migration.apply):
                    conn.execute(statement)
            else:
                migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return len(migrations)


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT first; split so the migration stays one transaction.
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return [s for s in out if s]

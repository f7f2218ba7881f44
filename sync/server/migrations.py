"""Numbered schema migrations for the central server, one script per dialect.

Append only: a shipped migration is never edited. ``migrate()`` applies the missing ones
in order, in one transaction, and is safe to run from several processes at once
(PostgreSQL: an advisory lock; SQLite: BEGIN IMMEDIATE).

Versions 2..19 belong to the sync core (this file); other parts of the server (payments,
identity) number theirs from 20 on, so branches never collide.
"""

from __future__ import annotations

from .db import Database

# (version, sqlite script, postgresql script)
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        """
        CREATE TABLE tenants (
            code TEXT PRIMARY KEY,
            city_dir TEXT NOT NULL,
            seq INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE credentials (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL REFERENCES tenants(code),
            role TEXT NOT NULL CHECK (role IN ('kiosk', 'staff')),
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE TABLE bookings (
            tenant TEXT NOT NULL REFERENCES tenants(code),
            id TEXT NOT NULL,
            code TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            status TEXT NOT NULL,
            residency TEXT NOT NULL,
            total_yen INTEGER NOT NULL,
            person_key TEXT,
            group_id TEXT,
            contact TEXT NOT NULL DEFAULT '{}',
            request TEXT NOT NULL DEFAULT '{}',
            credential_id TEXT,
            provisional INTEGER NOT NULL DEFAULT 0,
            status_reason TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (tenant, id)
        );
        CREATE INDEX bookings_person ON bookings (tenant, person_key);
        CREATE TABLE booking_slots (
            tenant TEXT NOT NULL,
            booking_id TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            start_at TEXT NOT NULL,
            end_at TEXT NOT NULL,
            block_code TEXT,
            holds INTEGER NOT NULL,
            PRIMARY KEY (tenant, booking_id, start_at)
        );
        CREATE INDEX booking_slots_unit ON booking_slots (tenant, unit_id, start_at);
        CREATE TABLE mutations (
            tenant TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            credential_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            result TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            PRIMARY KEY (tenant, mutation_id)
        );
        CREATE TABLE changes (
            tenant TEXT NOT NULL,
            seq INTEGER NOT NULL,
            booking_id TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            start_at TEXT NOT NULL,
            end_at TEXT NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (tenant, seq)
        );
        CREATE TABLE followups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            booking_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            violations TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolution TEXT
        );
        CREATE INDEX followups_open ON followups (tenant, resolved_at);
        """,
        """
        CREATE EXTENSION IF NOT EXISTS btree_gist;
        CREATE TABLE tenants (
            code TEXT PRIMARY KEY,
            city_dir TEXT NOT NULL,
            seq BIGINT NOT NULL DEFAULT 0,
            created_at TIMESTAMP NOT NULL
        );
        CREATE TABLE credentials (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL REFERENCES tenants(code),
            role TEXT NOT NULL CHECK (role IN ('kiosk', 'staff')),
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP
        );
        CREATE TABLE bookings (
            tenant TEXT NOT NULL REFERENCES tenants(code),
            id TEXT NOT NULL,
            code TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            status TEXT NOT NULL,
            residency TEXT NOT NULL,
            total_yen INTEGER NOT NULL,
            person_key TEXT,
            group_id TEXT,
            contact TEXT NOT NULL DEFAULT '{}',
            request TEXT NOT NULL DEFAULT '{}',
            credential_id TEXT,
            provisional INTEGER NOT NULL DEFAULT 0,
            status_reason TEXT,
            created_at TIMESTAMP NOT NULL,
            updated_at TIMESTAMP NOT NULL,
            PRIMARY KEY (tenant, id)
        );
        CREATE INDEX bookings_person ON bookings (tenant, person_key);
        CREATE TABLE booking_slots (
            tenant TEXT NOT NULL,
            booking_id TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            start_at TIMESTAMP NOT NULL,
            end_at TIMESTAMP NOT NULL,
            block_code TEXT,
            holds BOOLEAN NOT NULL,
            PRIMARY KEY (tenant, booking_id, start_at),
            -- the database itself refuses two live bookings of one unit at one time
            CONSTRAINT no_double_booking EXCLUDE USING gist (
                tenant WITH =, unit_id WITH =, tsrange(start_at, end_at) WITH &&
            ) WHERE (holds)
        );
        CREATE INDEX booking_slots_unit ON booking_slots (tenant, unit_id, start_at);
        CREATE TABLE mutations (
            tenant TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            credential_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            result TEXT NOT NULL,
            applied_at TIMESTAMP NOT NULL,
            PRIMARY KEY (tenant, mutation_id)
        );
        CREATE TABLE changes (
            tenant TEXT NOT NULL,
            seq BIGINT NOT NULL,
            booking_id TEXT NOT NULL,
            unit_id TEXT NOT NULL,
            start_at TIMESTAMP NOT NULL,
            end_at TIMESTAMP NOT NULL,
            status TEXT NOT NULL,
            PRIMARY KEY (tenant, seq)
        );
        CREATE TABLE followups (
            id BIGSERIAL PRIMARY KEY,
            tenant TEXT NOT NULL,
            booking_id TEXT NOT NULL,
            mutation_id TEXT NOT NULL,
            violations TEXT NOT NULL,
            created_at TIMESTAMP NOT NULL,
            resolved_at TIMESTAMP,
            resolution TEXT
        );
        CREATE INDEX followups_open ON followups (tenant, resolved_at);
        """,
    ),
    (
        2,
        # SQLite has no exclusion constraint: these triggers are its database-level
        # equivalent. Slots longer than a day are refused, which bounds the overlap
        # probe to one day of the unit's index (an O(log n) check per insert).
        """
        CREATE TRIGGER no_double_booking_insert BEFORE INSERT ON booking_slots
        WHEN NEW.holds
        BEGIN
            SELECT RAISE(ABORT, 'slot_within_a_day') WHERE NOT (NEW.end_at > NEW.start_at
                AND NEW.end_at <= strftime('%Y-%m-%dT%H:%M:%S', NEW.start_at, '+1 day'));
            SELECT RAISE(ABORT, 'no_double_booking') WHERE EXISTS (
                SELECT 1 FROM booking_slots s
                WHERE s.tenant = NEW.tenant AND s.unit_id = NEW.unit_id AND s.holds
                  AND s.start_at > strftime('%Y-%m-%dT%H:%M:%S', NEW.start_at, '-1 day')
                  AND s.start_at < NEW.end_at AND s.end_at > NEW.start_at);
        END;
        CREATE TRIGGER no_double_booking_update BEFORE UPDATE OF holds, unit_id, start_at, end_at
        ON booking_slots
        WHEN NEW.holds
        BEGIN
            SELECT RAISE(ABORT, 'slot_within_a_day') WHERE NOT (NEW.end_at > NEW.start_at
                AND NEW.end_at <= strftime('%Y-%m-%dT%H:%M:%S', NEW.start_at, '+1 day'));
            SELECT RAISE(ABORT, 'no_double_booking') WHERE EXISTS (
                SELECT 1 FROM booking_slots s
                WHERE s.tenant = NEW.tenant AND s.unit_id = NEW.unit_id AND s.holds
                  AND NOT (s.booking_id = OLD.booking_id AND s.start_at = OLD.start_at)
                  AND s.start_at > strftime('%Y-%m-%dT%H:%M:%S', NEW.start_at, '-1 day')
                  AND s.start_at < NEW.end_at AND s.end_at > NEW.start_at);
        END;
        """,
        """
        ALTER TABLE booking_slots ADD CONSTRAINT slot_within_a_day
            CHECK (NOT holds OR (end_at > start_at AND end_at <= start_at + interval '1 day'));
        """,
    ),
    (
        3,
        # The booking's status copied onto its slots (kept equal by a trigger, whoever
        # updates the booking) and a covering index: the snapshot becomes one index
        # scan without a join.
        """
        ALTER TABLE booking_slots ADD COLUMN status TEXT;
        UPDATE booking_slots SET status = (SELECT b.status FROM bookings b
            WHERE b.tenant = booking_slots.tenant AND b.id = booking_slots.booking_id);
        CREATE TRIGGER booking_status_to_slots AFTER UPDATE OF status ON bookings
        BEGIN
            UPDATE booking_slots SET status = NEW.status WHERE tenant = NEW.tenant AND booking_id = NEW.id;
        END;
        CREATE TRIGGER booking_slot_status AFTER INSERT ON booking_slots WHEN NEW.status IS NULL
        BEGIN
            UPDATE booking_slots SET status = (SELECT b.status FROM bookings b
                WHERE b.tenant = NEW.tenant AND b.id = NEW.booking_id)
            WHERE tenant = NEW.tenant AND booking_id = NEW.booking_id AND start_at = NEW.start_at;
        END;
        CREATE INDEX booking_slots_live ON booking_slots
            (tenant, unit_id, start_at, end_at, booking_id, status, holds) WHERE holds;
        """,
        """
        ALTER TABLE booking_slots ADD COLUMN status TEXT;
        UPDATE booking_slots s SET status = b.status FROM bookings b
            WHERE b.tenant = s.tenant AND b.id = s.booking_id;
        CREATE FUNCTION booking_status_to_slots() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE booking_slots SET status = NEW.status WHERE tenant = NEW.tenant AND booking_id = NEW.id;
            RETURN NULL;
        END $$;
        CREATE TRIGGER booking_status_to_slots AFTER UPDATE OF status ON bookings
            FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION booking_status_to_slots();
        CREATE FUNCTION booking_slot_status() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status IS NULL THEN
                SELECT b.status INTO NEW.status FROM bookings b WHERE b.tenant = NEW.tenant AND b.id = NEW.booking_id;
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER booking_slot_status BEFORE INSERT ON booking_slots
            FOR EACH ROW EXECUTE FUNCTION booking_slot_status();
        CREATE INDEX booking_slots_live ON booking_slots (tenant, unit_id, start_at)
            INCLUDE (end_at, booking_id, status) WHERE holds;
        """,
    ),
]

# Features keep their migrations with them, in their own version range.
from .identity_store import IDENTITY_MIGRATIONS  # noqa: E402  (20..29: card identity)

MIGRATIONS.extend(IDENTITY_MIGRATIONS)


from sync.payments.schema import PAYMENT_MIGRATIONS  # noqa: E402  (30..49: payments)

MIGRATIONS.extend(PAYMENT_MIGRATIONS)

from .staff_calls import STAFF_CALL_MIGRATIONS  # noqa: E402  (50..59: staff calls, assisted mode)

MIGRATIONS.extend(STAFF_CALL_MIGRATIONS)


from .card_check import CARD_CHECK_MIGRATIONS  # noqa: E402  (60..69: card holders' residency)

MIGRATIONS.extend(CARD_CHECK_MIGRATIONS)
MIGRATIONS.sort(key=lambda m: m[0])  # parts append in any order; versions apply in order


def migrate(db: Database) -> int:
    """Apply missing migrations; returns the schema version now in force."""
    if db.dialect == "postgresql":
        with db.write() as c:
            c.execute("SELECT pg_advisory_xact_lock(7366132)")  # one migrator at a time
            c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
            done = {r["version"] for r in c.all("SELECT version FROM schema_migrations")}
            for version, _, script in MIGRATIONS:
                if version not in done:
                    c.execute(script)
                    c.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
        return MIGRATIONS[-1][0]
    with db.write() as c:
        c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        done = {r["version"] for r in c.all("SELECT version FROM schema_migrations")}
        for version, script, _ in MIGRATIONS:
            if version not in done:
                for statement in _sqlite_statements(script):
                    c.execute(statement)
                c.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
    return MIGRATIONS[-1][0]


def _sqlite_statements(script: str) -> list[str]:
    """Split a script into statements (a trigger body holds semicolons of its own)."""
    import sqlite3

    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out

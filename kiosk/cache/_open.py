"""Opening the cache file: pragmas, migrations, and recovery from a corrupt file."""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from ._types import Recovery
from .migrations import migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class CorruptCache(Exception):
    pass


def connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: no implicit transactions; every write opens BEGIN IMMEDIATE itself.
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                           timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise CorruptCache(f"cannot switch to WAL (journal_mode={mode})")
        # FULL in WAL mode syncs the log at every commit: an acknowledged booking
        # survives a power cut, not just a crash of this process.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def check(conn: sqlite3.Connection, level: str) -> None:
    """Raise CorruptCache unless the file passes SQLite's own check."""
    if level == "none":
        conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
        return
    pragma = "quick_check" if level == "quick" else "integrity_check"
    rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    if rows != ["ok"]:
        raise CorruptCache("; ".join(rows[:5]))


def open_checked(path: Path, level: str) -> tuple[sqlite3.Connection, Recovery | None]:
    """Connect, check and migrate; on corruption move the file aside and start afresh."""
    conn = None
    try:
        conn = connect(path)
        check(conn, level)
        migrate(conn)
        return conn, None
    except (sqlite3.DatabaseError, CorruptCache) as exc:
        # sqlite3.DatabaseError covers "file is not a database" and
        # "database disk image is malformed"; OperationalError (locked, I/O) is not corruption.
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc):
            if conn:
                conn.close()
            raise
        if conn:
            conn.close()
        reason = str(exc) or type(exc).__name__
    log.error("cache %s is corrupt (%s); moving it aside and rebuilding", path, reason)
    moved_to = _move_aside(path)
    conn = connect(path)
    migrate(conn)
    recovery = Recovery(moved_to=moved_to, reason=reason)
    return conn, _salvage(conn, moved_to, recovery)


def _move_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            if suffix == "-wal":
                os.replace(side, target.with_name(target.name + suffix))
            else:
                side.unlink()
    return target


def _salvage(conn: sqlite3.Connection, corrupt: Path, recovery: Recovery) -> Recovery:
    """Copy what can still be read of the queued, unsynced work out of the corrupt file.

    Facilities, units and busy times come back from the server and the city data;
    pending outbox rows and unsynced local bookings exist nowhere else.
    """
    try:
        old = sqlite3.connect(f"file:{corrupt}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        recovery.lost.extend(["outbox", "local_bookings"])
        return recovery
    counts = {}
    try:
        for table, where in (("outbox", "state = 'pending'"), ("local_bookings", "synced_at IS NULL")):
            try:
                cursor = old.execute(f"SELECT * FROM {table} WHERE {where}")
                names = [d[0] for d in cursor.description]
                rows = cursor.fetchall()
            except sqlite3.Error:
                recovery.lost.append(table)
                continue
            placeholders = ", ".join("?" for _ in names)
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    f"INSERT OR IGNORE INTO {table} ({', '.join(names)}) VALUES ({placeholders})", rows)
                conn.execute("COMMIT")
            except sqlite3.Error:
                conn.execute("ROLLBACK")
                recovery.lost.append(table)
                continue
            counts[table] = len(rows)
    finally:
        old.close()
    return Recovery(recovery.moved_to, recovery.reason, counts.get("outbox", 0),
                    counts.get("local_bookings", 0), recovery.lost)

"""Applying the server's busy-interval feed to the cache in bulk (the sync pull path).

Rows are plain tuples of wire text, ``(booking_id, unit_id, start, end, status)`` with
times as fixed-width ``YYYY-MM-DDTHH:MM:SS`` (the format of both the server and the
cache), so a 100k-row snapshot goes into SQLite without a datetime or an object per
row. Every function runs inside the caller's write transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from kiosk.domain.model import BookingStatus

HOLDING = frozenset(s.value for s in BookingStatus if s.holds_time)
STATUSES = frozenset(s.value for s in BookingStatus)
UPSERT, DELETE = "upsert", "delete"

_INSERT = 'INSERT OR REPLACE INTO busy (booking_id, unit_id, start, "end", status) VALUES (?, ?, ?, ?, ?)'
# A time that is not fixed-width text would break the string order every query uses.
_BAD_TIME = ("SELECT booking_id FROM busy WHERE NOT (start GLOB ?1 AND \"end\" GLOB ?1 AND \"end\" > start)"
             " LIMIT 1")
_TIME_GLOB = "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"


def apply_rows(conn: sqlite3.Connection, rows: Sequence[tuple[str, str, str, str, str, str]]) -> None:
    """Apply feed rows ``(booking_id, unit_id, start, end, status, op)`` in order.

    A busy row is keyed by (booking_id, start): for each key the last row wins, exactly
    as applying them one by one would end. Raises ValueError on an unknown status."""
    last: dict[tuple[str, str], tuple[str, str, str, str, str, str]] = {}
    statuses: dict[str, str] = {}
    for row in rows:
        booking_id, _, start, _, status, op = row
        if status not in STATUSES:
            raise ValueError(f"unknown booking status {status!r}")
        last[(booking_id, start)] = row
        if op == UPSERT:
            statuses[booking_id] = status
    upserts = [(b, u, s, e, st) for b, u, s, e, st, op in last.values() if op == UPSERT and st in HOLDING]
    deletes = [(b, s) for b, u, s, e, st, op in last.values() if not (op == UPSERT and st in HOLDING)]
    if deletes:
        conn.executemany("DELETE FROM busy WHERE booking_id = ? AND start = ?", deletes)
    if upserts:
        conn.executemany(_INSERT, upserts)
        _check_times(conn, upserts)
        _widen_span(conn, max(_span(s, e) for _, _, s, e, _ in upserts))
    if statuses:
        # A booking made here and changed by the server (confirmed, rejected, cancelled
        # by staff) shows its new state in "my bookings".
        conn.executemany("UPDATE local_bookings SET status = ?1 WHERE id = ?2 AND status != ?1",
                         [(st, b) for b, st in statuses.items()])


def load_snapshot(conn: sqlite3.Connection, chunks: Iterable[Sequence[Sequence[str]]]) -> int:
    """Replace every server-sourced busy row by the snapshot ``chunks`` (lists of
    ``(booking_id, unit_id, start, end, status)``); rows of bookings made on this kiosk
    stay unless the snapshot has them. Returns how many rows were loaded."""
    conn.execute("DELETE FROM busy WHERE booking_id NOT IN (SELECT id FROM local_bookings)")
    n = 0
    for chunk in chunks:
        if not {r[4] for r in chunk} <= HOLDING:
            raise ValueError("a snapshot row does not hold time")
        conn.executemany(_INSERT, chunk)
        n += len(chunk)
    bad = conn.execute(_BAD_TIME, (_TIME_GLOB,)).fetchone()
    if bad:
        raise ValueError(f"malformed time in snapshot row of booking {bad[0]}")
    span = conn.execute('SELECT max(unixepoch("end") - unixepoch(start)) FROM busy').fetchone()[0]
    _widen_span(conn, int(span or 0))
    conn.execute(
        "UPDATE local_bookings SET status = (SELECT b.status FROM busy b WHERE b.booking_id = local_bookings.id"
        " LIMIT 1) WHERE EXISTS (SELECT 1 FROM busy b WHERE b.booking_id = local_bookings.id"
        " AND b.status != local_bookings.status)")
    return n


def _check_times(conn: sqlite3.Connection, rows: Sequence[tuple[str, str, str, str, str]]) -> None:
    for _, _, s, e, _ in rows:
        if len(s) != 19 or len(e) != 19 or s[10] != "T" or e[10] != "T" or e <= s:
            raise ValueError(f"malformed interval {s!r}..{e!r}")


def _span(start: str, end: str) -> int:
    from datetime import datetime

    return int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds())


def _widen_span(conn: sqlite3.Connection, seconds: int) -> None:
    conn.execute("UPDATE meta SET value = max(value, ?) WHERE key = 'busy_max_span_s'", (seconds,))

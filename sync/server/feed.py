"""What kiosks and staff read: the per-tenant change feed, snapshots, follow-ups.

Kiosks only ever receive busy intervals (unit, time, status, booking id); names,
phones and person keys stay on the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .db import Database, parse_dt


class CursorAhead(Exception):
    """The kiosk's cursor is beyond this server's feed (e.g. a restored database):
    the kiosk must bootstrap again from a snapshot."""


def _iso(value: Any) -> str:
    return parse_dt(value).isoformat(timespec="seconds")


def parse_cursor(cursor: str | None) -> int:
    if cursor in (None, ""):
        return 0
    value = int(cursor)  # ValueError -> 422 at the edge
    if value < 0:
        raise ValueError("negative cursor")
    return value


def current_seq(db: Database, tenant: str) -> int:
    with db.read() as c:
        row = c.one("SELECT seq FROM tenants WHERE code = ?", (tenant,))
    return int(row["seq"]) if row else 0


_FEED_COLUMNS = "seq, booking_id, unit_id, {start}, {end}, status"


def changes_page(db: Database, tenant: str, since: int, limit: int) -> dict[str, Any]:
    """Changes after ``since`` in sequence order, as a JSON-ready dict."""
    with db.read() as c:
        head = c.one("SELECT seq FROM tenants WHERE code = ?", (tenant,))
        if since > int(head["seq"] if head else 0):
            raise CursorAhead(since)
        rows = c.rows(
            f"SELECT {_FEED_COLUMNS.format(start=c.iso('start_at'), end=c.iso('end_at'))} FROM changes"
            " WHERE tenant = ? AND seq > ? ORDER BY seq LIMIT ?",
            (tenant, since, limit + 1),
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "changes": [
            {"seq": int(seq), "booking_id": b, "unit_id": u, "start": s, "end": e, "status": st}
            for seq, b, u, s, e, st in rows
        ],
        "cursor": str(int(rows[-1][0]) if rows else since),
        "more": more,
    }


SNAPSHOT_COLUMNS = ("booking_id", "unit_id", "start", "end", "status")
ROWS_FORMAT = "rows-1"
ROWS_PER_LINE = 5000


def snapshot_rows(db: Database, tenant: str, now: datetime) -> tuple[int, list[tuple[Any, ...]]]:
    """Every interval holding time that has not ended (from the start of today), as
    (booking_id, unit_id, start, end, status) tuples, and the cursor they match."""
    with db.read() as c:  # one snapshot: intervals and cursor agree
        head = c.one("SELECT seq FROM tenants WHERE code = ?", (tenant,))
        seq = int(head["seq"]) if head else 0
        rows = c.rows(
            f"SELECT booking_id, unit_id, {c.iso('start_at')}, {c.iso('end_at')}, status FROM booking_slots"
            " WHERE tenant = ? AND holds AND end_at > ? ORDER BY tenant, unit_id, start_at",
            (tenant, now.replace(hour=0, minute=0, second=0)),
        )
    return seq, rows


def snapshot(db: Database, tenant: str, now: datetime) -> dict[str, Any]:
    """The snapshot as one JSON document (``Snapshot`` in sync.protocol)."""
    seq, rows = snapshot_rows(db, tenant, now)
    return {
        "intervals": [
            {"seq": seq, "booking_id": b, "unit_id": u, "start": s, "end": e, "status": st}
            for b, u, s, e, st in rows
        ],
        "cursor": str(seq),
        "server_time": now.isoformat(timespec="seconds"),
    }


def snapshot_ndjson(seq: int, rows: list[tuple[Any, ...]], now: datetime) -> Iterator[bytes]:
    """``snapshot_rows`` in the compact streamed format (``format=rows``), line by line.

    Line 1 is a header (format, cursor, server time, column names, row count); each
    following line a JSON array of up to ``ROWS_PER_LINE`` rows (arrays in column
    order); the last line a trailer ``{"end": true, "count": N}``. A client commits
    nothing unless it read the trailer and the count matches: a cut stream is never
    taken for a smaller snapshot.
    """
    header = {"format": ROWS_FORMAT, "cursor": str(seq), "server_time": now.isoformat(timespec="seconds"),
              "columns": list(SNAPSHOT_COLUMNS), "count": len(rows)}
    yield _line(header)
    for i in range(0, len(rows), ROWS_PER_LINE):
        yield _line(rows[i:i + ROWS_PER_LINE])
    yield _line({"end": True, "count": len(rows)})


def _line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def followups(db: Database, tenant: str, include_resolved: bool = False) -> list[dict[str, Any]]:
    sql = (
        "SELECT f.id, f.booking_id, f.violations, f.created_at, f.resolved_at, f.resolution,"
        " b.code, b.unit_id, b.contact FROM followups f JOIN bookings b"
        " ON b.tenant = f.tenant AND b.id = f.booking_id WHERE f.tenant = ?"
    )
    if not include_resolved:
        sql += " AND f.resolved_at IS NULL"
    with db.read() as c:
        rows = c.all(sql + " ORDER BY f.id", (tenant,))
        out = []
        for r in rows:
            slots = c.all(
                "SELECT start_at, end_at, block_code FROM booking_slots WHERE tenant = ? AND booking_id = ?"
                " ORDER BY start_at",
                (tenant, r["booking_id"]),
            )
            out.append({
                "id": int(r["id"]), "booking_id": r["booking_id"], "booking_code": r["code"],
                "unit_id": r["unit_id"],
                "slots": [{"start": _iso(s["start_at"]), "end": _iso(s["end_at"]), "block_code": s["block_code"]}
                          for s in slots],
                "contact": json.loads(r["contact"]), "violations": json.loads(r["violations"]),
                "created_at": _iso(r["created_at"]),
                "resolved_at": _iso(r["resolved_at"]) if r["resolved_at"] else None,
                "resolution": r["resolution"],
            })
    return out


def resolve_followup(db: Database, tenant: str, followup_id: int, resolution: str, now: datetime) -> bool:
    with db.write() as c:
        n = c.execute(
            "UPDATE followups SET resolved_at = ?, resolution = ? WHERE tenant = ? AND id = ?"
            " AND resolved_at IS NULL",
            (now, resolution, tenant, followup_id),
        ).rowcount
    return n > 0

"""The booking side of payments, in SQL on the server's database.

Each function runs inside a transaction the caller holds (``Connection``), so a
payment's settlement, a counter payment or a release is one commit with its ledger
rows. A booking is paid at most once: ``booking_payments`` has one row per booking at
most (its primary key), and only a booking that still holds its time (CONFIRMED) can
get one. Every change also appends a ``booking_events`` row.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kiosk.domain.model import BookingRules, BookingStatus
from sync.server.db import Connection, parse_dt

CONFIRMED = BookingStatus.CONFIRMED.value
CANCELLED = BookingStatus.CANCELLED.value

# booking_events.kind
EV_PAID = "paid"
EV_COUNTER_PAID = "counter_paid"
EV_RELEASED = "released_unpaid"
EV_CANCELLED = "cancelled"
EV_CHECKED_IN = "checked_in"

# bookings.status_reason of a booking payments ended
REASON_UNPAID = "payment_deadline_passed"
REASON_CANCELLED = "cancelled_by_person"


@dataclass(frozen=True)
class BookingInfo:
    """What payments need of one server booking."""

    tenant: str
    id: str
    code: str
    unit_id: str
    status: str
    total_yen: int
    created_at: datetime
    start: datetime
    end: datetime
    contact: dict[str, str]
    slots: tuple[tuple[datetime, datetime, str | None], ...]
    paid: dict[str, Any] | None  # the booking_payments row, if paid

    @property
    def holds(self) -> bool:
        return self.status == CONFIRMED


def pay_deadline(info: BookingInfo, rules: BookingRules) -> datetime:
    """An unpaid booking is released at this moment: ``unpaid_hold_days`` after it was
    made, and never later than its start."""
    return min(info.created_at + timedelta(days=rules.unpaid_hold_days), info.start)


def _lock(c: Connection) -> str:
    return " FOR UPDATE" if c.dialect == "postgresql" else ""


def load(c: Connection, tenant: str, booking_id: str, *, lock: bool = False) -> BookingInfo | None:
    row = c.one("SELECT id, code, unit_id, status, total_yen, created_at, contact FROM bookings"
                " WHERE tenant = ? AND id = ?" + (_lock(c) if lock else ""), (tenant, booking_id))
    if row is None:
        return None
    slots = tuple((parse_dt(s["start_at"]), parse_dt(s["end_at"]), s["block_code"]) for s in c.all(
        "SELECT start_at, end_at, block_code FROM booking_slots WHERE tenant = ? AND booking_id = ?"
        " ORDER BY start_at", (tenant, booking_id)))
    paid = c.one("SELECT method, payment_id, amount_yen, by_whom, at FROM booking_payments"
                 " WHERE tenant = ? AND booking_id = ?", (tenant, booking_id))
    start = slots[0][0] if slots else parse_dt(row["created_at"])
    end = max((s[1] for s in slots), default=start)
    return BookingInfo(tenant, row["id"], row["code"], row["unit_id"], row["status"],
                       int(row["total_yen"]), parse_dt(row["created_at"]), start, end,
                       json.loads(row["contact"] or "{}"), slots, paid)


def find_by_code(c: Connection, tenant: str, code: str) -> list[BookingInfo]:
    rows = c.all("SELECT id FROM bookings WHERE tenant = ? AND code = ? ORDER BY created_at DESC",
                 (tenant, code))
    return [b for b in (load(c, tenant, r["id"]) for r in rows) if b is not None]


def event(c: Connection, tenant: str, booking_id: str, kind: str, now: datetime,
          **detail: Any) -> None:
    c.execute("INSERT INTO booking_events (tenant, booking_id, kind, detail, at) VALUES (?, ?, ?, ?, ?)",
              (tenant, booking_id, kind, json.dumps(detail, ensure_ascii=False, sort_keys=True), now))


def events(c: Connection, tenant: str, booking_id: str) -> list[dict[str, Any]]:
    return [{"kind": r["kind"], "detail": json.loads(r["detail"]), "at": parse_dt(r["at"])}
            for r in c.all("SELECT kind, detail, at FROM booking_events WHERE tenant = ?"
                           " AND booking_id = ? ORDER BY seq", (tenant, booking_id))]


def confirm_paid(c: Connection, tenant: str, items: Sequence[tuple[str, int]], payment_id: str,
                 now: datetime) -> set[str]:
    """Mark the bookings among ``items`` (booking id, yen) that still hold their time and
    are not paid yet as paid by ``payment_id``. Returns those paid by it (asked again:
    the same answer)."""
    paid: set[str] = set()
    for booking_id, amount in items:
        info = load(c, tenant, booking_id, lock=True)
        if info is None:
            continue
        if info.paid is not None:
            if info.paid["payment_id"] == payment_id:
                paid.add(booking_id)
            continue
        if not info.holds:
            continue
        c.execute("INSERT INTO booking_payments (tenant, booking_id, method, payment_id, amount_yen,"
                  " by_whom, at) VALUES (?, ?, 'qr', ?, ?, 'provider', ?)",
                  (tenant, booking_id, payment_id, amount, now))
        event(c, tenant, booking_id, EV_PAID, now, payment_id=payment_id, amount_yen=amount)
        paid.add(booking_id)
    return paid


def mark_counter_paid(c: Connection, tenant: str, info: BookingInfo, amount: int, staff: str,
                      now: datetime, note: str = "") -> None:
    c.execute("INSERT INTO booking_payments (tenant, booking_id, method, payment_id, amount_yen,"
              " by_whom, at) VALUES (?, ?, 'counter', NULL, ?, ?, ?)",
              (tenant, info.id, amount, staff, now))
    event(c, tenant, info.id, EV_COUNTER_PAID, now, amount_yen=amount, staff=staff, note=note)


def release(c: Connection, tenant: str, info: BookingInfo, now: datetime, reason: str,
            kind: str, **detail: Any) -> None:
    """Give the booking's time back (CANCELLED) and tell every kiosk through the feed."""
    c.execute("UPDATE bookings SET status = ?, status_reason = ?, updated_at = ? WHERE tenant = ? AND id = ?",
              (CANCELLED, reason, now, tenant, info.id))
    c.execute("UPDATE booking_slots SET holds = ? WHERE tenant = ? AND booking_id = ?",
              (False, tenant, info.id))
    log_busy_changes(c, tenant, info.id, info.unit_id, [(s, e) for s, e, _ in info.slots], CANCELLED)
    event(c, tenant, info.id, kind, now, reason=reason, **detail)


def log_busy_changes(c: Connection, tenant: str, booking_id: str, unit_id: str,
                     slots: Sequence[tuple[datetime, datetime]], status: str) -> None:
    """Append the booking's intervals to the tenant's change feed, as the booking
    service does: taking the numbers locks the tenant row until commit."""
    if not slots:
        return
    last = c.one("UPDATE tenants SET seq = seq + ? WHERE code = ? RETURNING seq", (len(slots), tenant))
    assert last is not None
    first = int(last["seq"]) - len(slots) + 1
    c.executemany(
        "INSERT INTO changes (tenant, seq, booking_id, unit_id, start_at, end_at, status)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(tenant, first + i, booking_id, unit_id, s, e, status) for i, (s, e) in enumerate(slots)])
    if c.dialect == "postgresql":  # wakes every server process's waiting kiosks at commit
        from sync.server.live import CHANNEL

        c.execute("SELECT pg_notify(?, ?)", (CHANNEL, tenant))


def unpaid_candidates(c: Connection, tenant: str, made_before: datetime, now: datetime) -> list[str]:
    """Bookings that hold time, cost something, have no payment and may be due: made
    before ``made_before`` (now less the shortest hold of the city) or already started."""
    return [r["id"] for r in c.all(
        "SELECT b.id FROM bookings b WHERE b.tenant = ? AND b.status = ? AND b.total_yen > 0"
        " AND NOT EXISTS (SELECT 1 FROM booking_payments p WHERE p.tenant = b.tenant"
        " AND p.booking_id = b.id) AND (b.created_at <= ? OR EXISTS (SELECT 1 FROM booking_slots s"
        " WHERE s.tenant = b.tenant AND s.booking_id = b.id AND s.start_at <= ?))"
        " ORDER BY b.created_at", (tenant, CONFIRMED, made_before, now))]


def tenants(c: Connection) -> list[str]:
    return [r["code"] for r in c.all("SELECT code FROM tenants ORDER BY code")]


def paid_bookings(c: Connection, tenant: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT tenant, booking_id, method, payment_id, amount_yen FROM booking_payments"
    if tenant is None:
        return c.all(sql)
    return c.all(sql + " WHERE tenant = ?", (tenant,))


def booking_ids_with_status(c: Connection, tenant: str, ids: Collection[str]) -> dict[str, str]:
    out = {}
    for booking_id in ids:
        row = c.one("SELECT status FROM bookings WHERE tenant = ? AND id = ?", (tenant, booking_id))
        if row is not None:
            out[booking_id] = row["status"]
    return out

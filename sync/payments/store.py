"""Where the ledger keeps its rows: the central server's own database (SQLite or PostgreSQL).

A store only ever inserts (the tables refuse updates and deletes, see ``schema``).
``transaction()`` is one exclusive unit of work, so the ledger's check-then-append
decisions are atomic: SQLite serialises writers (BEGIN IMMEDIATE); on PostgreSQL every
ledger transaction first takes one transaction-scoped advisory lock. The transaction
also exposes its ``conn``, so a settlement can mark bookings paid in the same commit.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

from sync.server.db import Connection, Database, parse_dt

from .records import (
    LedgerEntry,
    PaymentItem,
    PaymentRecord,
    PaymentState,
    RefundEvent,
    Settlement,
    Source,
    StaffItem,
)

LEDGER_LOCK_KEY = 7366230  # PostgreSQL advisory lock of the payment ledger


class LedgerTx(Protocol):
    conn: Connection

    def insert_payment(self, record: PaymentRecord) -> None: ...
    def payment(self, payment_id: str) -> PaymentRecord | None: ...
    def payments_with_bookings(self, tenant: str, booking_ids: Collection[str]) -> list[PaymentRecord]: ...
    def append(self, payment_id: str, state: PaymentState, refunded_yen: int, at: datetime,
               source: Source, detail: dict[str, Any]) -> LedgerEntry: ...
    def entries(self, payment_id: str) -> list[LedgerEntry]: ...
    def payment_ids_in(self, states: Collection[PaymentState]) -> list[str]: ...
    def all_payment_ids(self, tenant: str | None = None) -> list[str]: ...
    def add_refund_event(self, event: RefundEvent) -> None: ...
    def refund_events(self, payment_id: str | None = None) -> list[RefundEvent]: ...
    def add_settlement(self, settlement: Settlement) -> bool: ...
    def settlement(self, payment_id: str) -> Settlement | None: ...
    def add_staff_item(self, item: StaffItem) -> bool: ...
    def staff_items(self, tenant: str) -> list[StaffItem]: ...


class LedgerStore(Protocol):
    def transaction(self) -> Any: ...  # a context manager yielding a LedgerTx


class _DbTx:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def _record(self, row: dict[str, Any]) -> PaymentRecord:
        items = tuple(PaymentItem(r["booking_id"], int(r["amount_yen"])) for r in self.conn.all(
            "SELECT booking_id, amount_yen FROM payment_items WHERE payment_id = ? ORDER BY position",
            (row["payment_id"],)))
        return PaymentRecord(row["payment_id"], row["tenant"], items, row["description"],
                             parse_dt(row["created_at"]), parse_dt(row["expires_at"]))

    def insert_payment(self, record: PaymentRecord) -> None:
        self.conn.execute(
            "INSERT INTO payments (payment_id, tenant, description, amount_yen, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (record.payment_id, record.tenant, record.description, record.amount_yen,
             record.created_at, record.expires_at))
        self.conn.executemany(
            "INSERT INTO payment_items (payment_id, tenant, booking_id, amount_yen, position)"
            " VALUES (?, ?, ?, ?, ?)",
            [(record.payment_id, record.tenant, i.booking_id, i.amount_yen, n)
             for n, i in enumerate(record.items)])

    def payment(self, payment_id: str) -> PaymentRecord | None:
        row = self.conn.one("SELECT * FROM payments WHERE payment_id = ?", (payment_id,))
        return self._record(row) if row else None

    def payments_with_bookings(self, tenant: str, booking_ids: Collection[str]) -> list[PaymentRecord]:
        ids = list(booking_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self.conn.all(
            "SELECT * FROM payments WHERE payment_id IN (SELECT payment_id FROM payment_items"
            f" WHERE tenant = ? AND booking_id IN ({marks})) ORDER BY created_at, payment_id",
            (tenant, *ids))
        return [self._record(r) for r in rows]

    def append(self, payment_id: str, state: PaymentState, refunded_yen: int, at: datetime,
               source: Source, detail: dict[str, Any]) -> LedgerEntry:
        row = self.conn.one(
            "INSERT INTO payment_ledger (payment_id, state, refunded_yen, at, source, detail)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING seq",
            (payment_id, str(state), refunded_yen, at, str(source),
             json.dumps(detail, ensure_ascii=False, sort_keys=True)))
        assert row is not None
        return LedgerEntry(int(row["seq"]), payment_id, state, refunded_yen, at, source, detail)

    def entries(self, payment_id: str) -> list[LedgerEntry]:
        return [
            LedgerEntry(int(r["seq"]), r["payment_id"], PaymentState(r["state"]), int(r["refunded_yen"]),
                        parse_dt(r["at"]), Source(r["source"]), json.loads(r["detail"]))
            for r in self.conn.all("SELECT * FROM payment_ledger WHERE payment_id = ? ORDER BY seq",
                                   (payment_id,))
        ]

    def payment_ids_in(self, states: Collection[PaymentState]) -> list[str]:
        wanted = [str(s) for s in states]
        marks = ",".join("?" * len(wanted))
        return [r["payment_id"] for r in self.conn.all(
            "SELECT l.payment_id FROM payment_ledger l JOIN (SELECT payment_id, max(seq) AS seq"
            " FROM payment_ledger GROUP BY payment_id) last ON l.seq = last.seq"
            f" WHERE l.state IN ({marks}) ORDER BY l.payment_id", wanted)]

    def all_payment_ids(self, tenant: str | None = None) -> list[str]:
        if tenant is None:
            rows = self.conn.all("SELECT payment_id FROM payments ORDER BY created_at, payment_id")
        else:
            rows = self.conn.all("SELECT payment_id FROM payments WHERE tenant = ?"
                                 " ORDER BY created_at, payment_id", (tenant,))
        return [r["payment_id"] for r in rows]

    def add_refund_event(self, event: RefundEvent) -> None:
        exists = self.conn.one("SELECT 1 AS x FROM payment_refunds WHERE refund_id = ? AND state = ?",
                               (event.refund_id, event.state))
        if exists is None:
            self.conn.execute(
                "INSERT INTO payment_refunds (refund_id, payment_id, amount_yen, reason, state, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (event.refund_id, event.payment_id, event.amount_yen, event.reason, event.state,
                 event.at))

    def refund_events(self, payment_id: str | None = None) -> list[RefundEvent]:
        sql, args = "SELECT * FROM payment_refunds", ()
        if payment_id is not None:
            sql, args = sql + " WHERE payment_id = ?", (payment_id,)
        return [RefundEvent(r["refund_id"], r["payment_id"], int(r["amount_yen"]), r["reason"],
                            r["state"], parse_dt(r["at"]))
                for r in self.conn.all(sql + " ORDER BY seq", args)]

    def add_settlement(self, settlement: Settlement) -> bool:
        if self.settlement(settlement.payment_id) is not None:
            return False
        self.conn.execute(
            "INSERT INTO payment_settlements (payment_id, paid, refunded, at) VALUES (?, ?, ?, ?)",
            (settlement.payment_id, json.dumps(list(settlement.paid_booking_ids)),
             json.dumps(list(settlement.refunded_booking_ids)), settlement.at))
        return True

    def settlement(self, payment_id: str) -> Settlement | None:
        row = self.conn.one("SELECT * FROM payment_settlements WHERE payment_id = ?", (payment_id,))
        if row is None:
            return None
        return Settlement(row["payment_id"], tuple(json.loads(row["paid"])),
                          tuple(json.loads(row["refunded"])), parse_dt(row["at"]))

    def add_staff_item(self, item: StaffItem) -> bool:
        exists = self.conn.one(
            "SELECT 1 AS x FROM payment_staff_items WHERE payment_id = ? AND kind = ? AND booking_id = ?",
            (item.payment_id, item.kind, item.booking_id))
        if exists is not None:
            return False
        self.conn.execute(
            "INSERT INTO payment_staff_items (tenant, payment_id, kind, booking_id, note, at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (item.tenant, item.payment_id, item.kind, item.booking_id, item.note, item.at))
        return True

    def staff_items(self, tenant: str) -> list[StaffItem]:
        return [StaffItem(r["tenant"], r["payment_id"], r["kind"], r["booking_id"], r["note"],
                          parse_dt(r["at"]))
                for r in self.conn.all("SELECT * FROM payment_staff_items WHERE tenant = ? ORDER BY seq",
                                       (tenant,))]


LedgerReader = _DbTx  # the ledger's queries inside a transaction someone else holds


class DbLedgerStore:
    """The ledger in the server's database; migrations create its tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def transaction(self) -> Iterator[_DbTx]:
        with self.db.write() as conn:
            if conn.dialect == "postgresql":
                conn.execute("SELECT pg_advisory_xact_lock(?)", (LEDGER_LOCK_KEY,))
            yield _DbTx(conn)

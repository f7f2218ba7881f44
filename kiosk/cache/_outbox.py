"""The outbox of the kiosk's cache: every change for the central server, queued in the
same transaction as its local effect and pushed in order by sync (docs/offline.md).

A mixin of ``Cache`` (kiosk/cache/_cache.py): it uses the cache's connection and its
``_write()`` / ``_rows()`` helpers and keeps the outbox's SQL in one place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

from . import _codec as c
from ._types import OutboxEntry, OutboxState


class OutboxMixin:
    if TYPE_CHECKING:  # provided by Cache
        _conn: sqlite3.Connection

        def _write(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def _rows(self, sql: str, params: Sequence | Mapping = ()) -> list[dict]: ...

    def _enqueue(self, mutation_id: str, kind: str, payload: Mapping, booking_id: str | None,
                 created_at: datetime) -> None:
        self._conn.execute(
            "INSERT INTO outbox (mutation_id, kind, payload, booking_id, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (mutation_id) DO NOTHING",
            (mutation_id, kind, c.dumps(dict(payload)), booking_id, c.iso(created_at)))

    def enqueue(self, mutation_id: str, kind: str, payload: Mapping, *, booking_id: str | None = None,
                now: datetime | None = None) -> None:
        """Queue a change for the server on its own (idempotent by ``mutation_id``)."""
        with self._write():
            self._enqueue(mutation_id, kind, payload, booking_id, now or datetime.now())

    @staticmethod
    def _entry(r: Mapping) -> OutboxEntry:
        return OutboxEntry(
            seq=r["seq"], mutation_id=r["mutation_id"], kind=r["kind"], payload=json.loads(r["payload"]),
            created_at=datetime.fromisoformat(r["created_at"]), state=OutboxState(r["state"]),
            attempts=r["attempts"], booking_id=r["booking_id"], last_error=r["last_error"],
            result=json.loads(r["result"]) if r["result"] else None)

    def outbox_pending(self, limit: int = 100) -> list[OutboxEntry]:
        rows = self._rows("SELECT * FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT ?", (limit,))
        return [self._entry(r) for r in rows]

    def outbox_entry(self, mutation_id: str) -> OutboxEntry | None:
        rows = self._rows("SELECT * FROM outbox WHERE mutation_id = ?", (mutation_id,))
        return self._entry(rows[0]) if rows else None

    def mark_outbox_done(self, mutation_id: str, result: Mapping, *, rejected: bool = False,
                         now: datetime | None = None) -> None:
        """The server answered: done (or ``rejected`` for good). Its booking counts as synced."""
        when = c.iso(now or datetime.now())
        state = OutboxState.REJECTED if rejected else OutboxState.DONE
        with self._write() as conn:
            row = conn.execute("SELECT booking_id FROM outbox WHERE mutation_id = ?", (mutation_id,)).fetchone()
            if row is None:
                raise KeyError(mutation_id)
            conn.execute("UPDATE outbox SET state = ?, result = ?, done_at = ? WHERE mutation_id = ?",
                         (state.value, c.dumps(dict(result)), when, mutation_id))
            if row[0]:
                conn.execute("UPDATE local_bookings SET synced_at = ? WHERE id = ? AND synced_at IS NULL",
                             (when, row[0]))

    def mark_outbox_provisional(self, mutation_id: str) -> bool:
        """Flag a still-pending booking mutation as made offline (the person was told
        "provisional" and may leave): a later refusal lands on the staff follow-up list.
        False when the row was already answered or is not a booking."""
        with self._write() as conn:
            row = conn.execute("SELECT payload FROM outbox WHERE mutation_id = ? AND state = 'pending'",
                               (mutation_id,)).fetchone()
            if row is None:
                return False
            payload = json.loads(row[0])
            target = payload["booking"] if isinstance(payload.get("booking"), dict) else payload
            if "unit_id" not in target:
                return False
            target["provisional"] = True
            conn.execute("UPDATE outbox SET payload = ? WHERE mutation_id = ? AND state = 'pending'",
                         (c.dumps(payload), mutation_id))
            return True

    def record_outbox_attempt(self, mutation_id: str, error: str | None) -> None:
        """A push attempt that got no answer: count it, keep the entry pending."""
        with self._write() as conn:
            conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE mutation_id = ?",
                         (error, mutation_id))

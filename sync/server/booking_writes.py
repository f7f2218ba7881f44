"""The rows one transaction of booking mutations writes, collected first, written together.

Collecting before writing lets a whole batch of mutations (``booking_batch``) reach the
database as one INSERT per table inside one pipeline: one round trip on
PostgreSQL however many mutations the batch holds, and one change-feed sequence update
per tenant. Nothing here checks a rule; the database still refuses a double booking
itself (the exclusion constraint on PostgreSQL, the triggers of migration 2 on SQLite).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.domain.model import BookingStatus, Slot

from ..protocol import BookingIn
from .card_check import ResidencyDecision
from .db import Connection, json_columns, json_rows
from .live import CHANNEL
from .tenants import Credential

# (column, PostgreSQL type) of each table a book mutation writes
BOOKING_COLUMNS = (
    ("tenant", "text"), ("id", "text"), ("code", "text"), ("unit_id", "text"), ("status", "text"),
    ("residency", "text"), ("total_yen", "integer"), ("person_key", "text"), ("group_id", "text"),
    ("contact", "text"), ("request", "text"), ("credential_id", "text"), ("provisional", "integer"),
    ("status_reason", "text"), ("created_at", "timestamp"), ("updated_at", "timestamp"),
    ("residency_claimed", "text"), ("identity_check", "text"),
)
SLOT_COLUMNS = (
    ("tenant", "text"), ("booking_id", "text"), ("unit_id", "text"), ("start_at", "timestamp"),
    ("end_at", "timestamp"), ("block_code", "text"), ("holds", "boolean"), ("status", "text"),
)
FOLLOWUP_COLUMNS = (
    ("tenant", "text"), ("booking_id", "text"), ("mutation_id", "text"), ("violations", "text"),
    ("created_at", "timestamp"),
)
MUTATION_COLUMNS = (
    ("tenant", "text"), ("mutation_id", "text"), ("credential_id", "text"), ("kind", "text"),
    ("result", "text"), ("applied_at", "timestamp"),
)
INSERT_MUTATION = (
    "INSERT INTO mutations (tenant, mutation_id, credential_id, kind, result, applied_at) VALUES (?, ?, ?, ?, ?, ?)"
)
# a change row as log_changes takes it: numbers back from the last one reserved, then
# booking_id, unit_id, start_at, end_at, status
CHANGE_COLUMNS = (("back", "bigint"), ("booking_id", "text"), ("unit_id", "text"), ("start_at", "timestamp"),
                  ("end_at", "timestamp"), ("status", "text"))


@dataclass
class WriteSet:
    bookings: list[tuple[Any, ...]] = field(default_factory=list)
    slots: list[tuple[Any, ...]] = field(default_factory=list)
    followups: list[tuple[Any, ...]] = field(default_factory=list)
    mutations: list[tuple[Any, ...]] = field(default_factory=list)
    # tenant -> (booking_id, unit_id, start, end, status) in feed order
    changes: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    # False while everything written is the record of an online refusal: such a commit
    # need not wait for the WAL flush (a crash in the next ~0.2 s can lose the record; a
    # retry then checks again and, the time being taken, refuses again).
    durable: bool = False

    def booking(self, cred: Credential, b: BookingIn, decided: ResidencyDecision, slots: Sequence[Slot],
                status: BookingStatus, total: int, now: datetime, *, holds: bool,
                reason: str | None = None, with_slots: bool = True) -> None:
        self.bookings.append((
            cred.tenant, b.booking_id, b.code, b.unit_id, status.value, decided.residency.value, total,
            b.person_key, b.group_id, json.dumps(b.contact, ensure_ascii=False),
            # the card's proof (certificate, address) is checked, never kept
            b.model_dump_json(exclude={"contact", "identity"}), cred.id, int(b.provisional), reason,
            b.created_at or now, now, b.residency.value, decided.check.value,
        ))
        if not with_slots:  # a refused online booking: nobody will look at its times again
            return
        for s in distinct_starts(slots):
            self.slots.append((cred.tenant, b.booking_id, b.unit_id, s.start, s.end, s.block_code, holds,
                               status.value))

    def change(self, tenant: str, booking_id: str, unit_id: str, slots: Sequence[Slot],
               status: BookingStatus) -> None:
        rows = self.changes.setdefault(tenant, [])
        rows.extend((booking_id, unit_id, s.start, s.end, status.value) for s in distinct_starts(slots))
        self.durable = True

    def mutation(self, cred: Credential, mutation_id: str, kind: str, result_json: str, now: datetime) -> None:
        self.mutations.append((cred.tenant, mutation_id, cred.id, kind, result_json, now))

    def followup(self, tenant: str, booking_id: str, mutation_id: str, violations_json: str,
                 now: datetime) -> None:
        self.followups.append((tenant, booking_id, mutation_id, violations_json, now))

    def write(self, c: Connection) -> None:
        """Everything, in one pipeline (one round trip on PostgreSQL): a constraint that
        refuses a row raises ``IntegrityConflict`` at the end, and the transaction is lost."""
        with c.pipeline():
            if c.dialect == "postgresql" and not self.durable:
                c.execute("SET LOCAL synchronous_commit TO off")
            for table, columns, rows in (("bookings", BOOKING_COLUMNS, self.bookings),
                                         ("booking_slots", SLOT_COLUMNS, self.slots),
                                         ("followups", FOLLOWUP_COLUMNS, self.followups),
                                         ("mutations", MUTATION_COLUMNS, self.mutations)):
                if rows:
                    c.insert_many(table, columns, rows)
            for tenant, rows in self.changes.items():
                log_changes(c, tenant, rows)


def log_changes(c: Connection, tenant: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append ``rows`` (booking_id, unit_id, start, end, status) to the tenant's feed."""
    n = len(rows)
    # Taking the next numbers locks the tenant row until commit, so changes become
    # visible in sequence order and a reader never skips one committed late. The
    # numbers are read back inside the INSERT (no RETURNING), counting back from the
    # last one reserved: the whole write can go to PostgreSQL in one pipeline.
    c.execute("UPDATE tenants SET seq = seq + ? WHERE code = ?", (n, tenant))
    numbered = [(n - 1 - i, *row) for i, row in enumerate(rows)]
    if c.dialect == "postgresql":
        c.execute("INSERT INTO changes (tenant, seq, booking_id, unit_id, start_at, end_at, status)"
                  f" SELECT t.code, t.seq - {json_columns(CHANGE_COLUMNS)}"
                  " FROM json_array_elements(?::json) AS x JOIN tenants t ON t.code = ?", (json_rows(numbered), tenant))
        # delivered at commit to every server process LISTENing (sync.server.live)
        c.execute("SELECT pg_notify(?, ?)", (CHANNEL, tenant))
    else:
        c.executemany("INSERT INTO changes (tenant, seq, booking_id, unit_id, start_at, end_at, status)"
                      " SELECT ?, seq - ?, ?, ?, ?, ?, ? FROM tenants WHERE code = ?",
                      [(tenant, *row, tenant) for row in numbered])


def distinct_starts(slots: Sequence[Slot]) -> list[Slot]:
    seen: dict[datetime, Slot] = {}
    for s in slots:
        seen.setdefault(s.start, s)
    return list(seen.values())

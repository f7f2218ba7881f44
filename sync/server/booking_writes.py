"""The rows one transaction of booking mutations writes, collected first, written together.

Collecting before writing lets a whole batch of mutations (``booking_batch``) reach the
database as one ``executemany`` per table inside one pipeline: one round trip on
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
from .db import Connection
from .live import CHANNEL
from .tenants import Credential

INSERT_BOOKING = (
    "INSERT INTO bookings (tenant, id, code, unit_id, status, residency, total_yen, person_key,"
    " group_id, contact, request, credential_id, provisional, status_reason, created_at, updated_at,"
    " residency_claimed, identity_check) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_SLOT = (
    "INSERT INTO booking_slots (tenant, booking_id, unit_id, start_at, end_at, block_code, holds, status)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_FOLLOWUP = (
    "INSERT INTO followups (tenant, booking_id, mutation_id, violations, created_at) VALUES (?, ?, ?, ?, ?)"
)
INSERT_MUTATION = (
    "INSERT INTO mutations (tenant, mutation_id, credential_id, kind, result, applied_at) VALUES (?, ?, ?, ?, ?, ?)"
)
# The change rows take their numbers from the tenant row inside the INSERT (no RETURNING),
# so the whole write can go to PostgreSQL in one pipeline. ``seq - ?`` counts back from
# the number the UPDATE just reserved.
INSERT_CHANGE = (
    "INSERT INTO changes (tenant, seq, booking_id, unit_id, start_at, end_at, status)"
    " SELECT ?, seq - ?, ?, ?, ?, ?, ? FROM tenants WHERE code = ?"
)


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
            if self.bookings:
                c.executemany(INSERT_BOOKING, self.bookings)
            if self.slots:
                c.executemany(INSERT_SLOT, self.slots)
            if self.followups:
                c.executemany(INSERT_FOLLOWUP, self.followups)
            for tenant, rows in self.changes.items():
                log_changes(c, tenant, rows)
            if self.mutations:
                c.executemany(INSERT_MUTATION, self.mutations)


def log_changes(c: Connection, tenant: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Append ``rows`` (booking_id, unit_id, start, end, status) to the tenant's feed."""
    n = len(rows)
    # Taking the next numbers locks the tenant row until commit, so changes become
    # visible in sequence order and a reader never skips one committed late.
    c.execute("UPDATE tenants SET seq = seq + ? WHERE code = ?", (n, tenant))
    c.executemany(INSERT_CHANGE, [(tenant, n - 1 - i, *row, tenant) for i, row in enumerate(rows)])
    if c.dialect == "postgresql":
        # delivered at commit to every server process LISTENing (sync.server.live)
        c.execute("SELECT pg_notify(?, ?)", (CHANNEL, tenant))


def distinct_starts(slots: Sequence[Slot]) -> list[Slot]:
    seen: dict[datetime, Slot] = {}
    for s in slots:
        seen.setdefault(s.start, s)
    return list(seen.values())

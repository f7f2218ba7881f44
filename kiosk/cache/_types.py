"""Values the cache hands to the sync engine and the UI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from kiosk.domain.model import BookingStatus


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting to be pushed (again)
    DONE = "done"  # the server acknowledged it; result holds its answer
    REJECTED = "rejected"  # the server refused it for good; result says why


@dataclass(frozen=True)
class OutboxEntry:
    """One queued change for the server, pushed in ``seq`` order, exactly once by ``mutation_id``."""

    seq: int
    mutation_id: str
    kind: str  # "create_booking", "cancel_booking", ...
    payload: Mapping
    created_at: datetime
    state: OutboxState = OutboxState.PENDING
    attempts: int = 0
    booking_id: str | None = None
    last_error: str | None = None
    result: Mapping | None = None


class ChangeOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


@dataclass(frozen=True)
class BusyChange:
    """One entry of the server's change feed. A busy row is identified by (booking_id, start)."""

    unit_id: str
    start: datetime
    end: datetime
    status: BookingStatus
    booking_id: str
    op: ChangeOp = ChangeOp.UPSERT


@dataclass(frozen=True)
class SyncState:
    cursor: str | None = None  # the server's change-feed position, opaque
    last_synced_at: datetime | None = None  # kiosk-corrected local time of the last good pull
    clock_offset_ms: int = 0  # server clock minus kiosk clock


@dataclass(frozen=True)
class Recovery:
    """Set on a Cache that found its file corrupt: what happened, for the staff screen."""

    moved_to: Path  # the corrupt file, kept for inspection
    reason: str  # SQLite's words, for staff and logs (never shown to residents)
    salvaged_outbox: int = 0  # pending changes copied over from the corrupt file
    salvaged_bookings: int = 0
    lost: list[str] = field(default_factory=list)  # tables that could not be read

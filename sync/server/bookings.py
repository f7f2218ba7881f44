"""Applying kiosk mutations: every rule checked again here, each mutation at most once.

A mutation's answer is stored with it, so a replay (a retry after a lost response, a
kiosk restarted mid-push) gets the ORIGINAL answer, never a second booking. Double
booking is refused by the database itself: an exclusion constraint on PostgreSQL, a
serialised overlap check inside BEGIN IMMEDIATE on SQLite.

Book mutations are decided by ``booking_plan`` and applied in batches by
``booking_batch`` (a lone one is a batch of one); cancellations are applied here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from kiosk.domain.model import Booking, BookingStatus, Residency, Slot

from ..protocol import BookMutation, CancelMutation, MutationResult
from .booking_batch import BookingBatches
from .booking_plan import replayed, violation, violations_out
from .booking_writes import INSERT_MUTATION, log_changes
from .card_check import ResidencyCheck
from .cities import CityRegistry
from .clock import server_now
from .db import Connection, Database, IntegrityConflict, parse_dt
from .tenants import Credential


class BookingService:
    def __init__(
        self,
        db: Database,
        cities: CityRegistry,
        on_change: Callable[[str], None] = lambda tenant: None,
        now: Callable[[], datetime] = server_now,
        residency: ResidencyCheck | None = None,
    ) -> None:
        self._db = db
        self._cities = cities
        self._on_change = on_change
        self._now = now
        # decides residency of card holders (sync/server/card_check.py); no CA: none verifies
        self._batches = BookingBatches(db, cities, residency or ResidencyCheck([]), now, on_change)

    # -- public -----------------------------------------------------------------------
    def apply(self, cred: Credential, mutation: BookMutation | CancelMutation) -> MutationResult:
        """Apply one mutation in its own transaction, or answer its stored result."""
        if isinstance(mutation, BookMutation):
            return self._batches.apply([(cred, mutation)])[0]
        for attempt in range(5):
            try:
                with self._db.write() as c:
                    now = self._now()
                    stored = c.one("SELECT result FROM mutations WHERE tenant = ? AND mutation_id = ?",
                                   (cred.tenant, mutation.mutation_id))
                    if stored is not None:
                        return replayed(stored["result"])
                    result, changed = self._cancel(c, cred, mutation, now)
                    c.execute(INSERT_MUTATION, (cred.tenant, mutation.mutation_id, cred.id, mutation.kind,
                                                result.model_dump_json(), now))
            except IntegrityConflict:
                # a concurrent delivery of the same cancellation won the race: its
                # stored answer decides on the next round
                if attempt == 4:
                    raise
                continue
            if changed:
                self._on_change(cred.tenant)
            return result
        raise AssertionError("unreachable")

    def apply_books(self, jobs: Sequence[tuple[Credential, BookMutation]]) -> list[MutationResult]:
        """Book mutations of any kiosks, in one transaction (``group_commit``): the
        answers are those of applying them one by one, in this order."""
        return self._batches.apply(jobs)

    # -- cancellation -----------------------------------------------------------------
    def _cancel(self, c: Connection, cred: Credential, m: CancelMutation, now: datetime) -> tuple[MutationResult, bool]:
        from kiosk.domain.rules import validate_cancellation
        from kiosk.domain.slots import effective_rules

        base = dict(mutation_id=m.mutation_id, kind="cancel", booking_id=m.booking_id, applied_at=now)
        row = c.one("SELECT * FROM bookings WHERE tenant = ? AND id = ?", (cred.tenant, m.booking_id))
        if row is None:
            return MutationResult(**base, outcome="rejected", status=None,
                                  violations=[violation("NOT_CANCELLABLE", reason="unknown_booking")]), False
        status = BookingStatus(row["status"])
        if status is BookingStatus.CANCELLED:
            return MutationResult(**base, outcome="applied", status=status), False
        if not status.holds_time:
            return MutationResult(**base, outcome="rejected", status=status,
                                  violations=[violation("NOT_CANCELLABLE")]), False
        slot_rows = c.all(
            "SELECT start_at, end_at, block_code FROM booking_slots WHERE tenant = ? AND booking_id = ? ORDER BY start_at",
            (cred.tenant, m.booking_id),
        )
        slots = tuple(Slot(parse_dt(r["start_at"]), parse_dt(r["end_at"]), r["block_code"]) for r in slot_rows)
        booking = Booking(
            id=row["id"], code=row["code"], unit_id=row["unit_id"], slots=slots, status=status,
            residency=Residency(row["residency"]), total_yen=row["total_yen"], created_at=parse_dt(row["created_at"]),
        )
        city = self._cities.get(cred.tenant, c)
        unit = city.unit(row["unit_id"])
        rules = effective_rules(unit, city.rules) if unit is not None else city.rules
        violations = violations_out(validate_cancellation(booking, now, rules))
        if violations:
            return MutationResult(**base, outcome="rejected", status=status, violations=violations), False
        c.execute("UPDATE bookings SET status = ?, updated_at = ? WHERE tenant = ? AND id = ?",
                  (BookingStatus.CANCELLED.value, now, cred.tenant, m.booking_id))
        c.execute("UPDATE booking_slots SET holds = ? WHERE tenant = ? AND booking_id = ?",
                  (False, cred.tenant, m.booking_id))
        log_changes(c, cred.tenant, [(m.booking_id, row["unit_id"], s.start, s.end, BookingStatus.CANCELLED.value)
                                     for s in slots])
        return MutationResult(**base, outcome="applied", status=BookingStatus.CANCELLED), True

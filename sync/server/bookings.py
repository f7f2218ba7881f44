"""Applying kiosk mutations: every rule checked again here, each mutation at most once.

A mutation's answer is stored with it, so a replay (a retry after a lost response, a
kiosk restarted mid-push) gets the ORIGINAL answer, never a second booking. Double
booking is refused by the database itself: an exclusion constraint on PostgreSQL, a
serialised overlap check inside BEGIN IMMEDIATE on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from kiosk.domain.model import (
    Applicant,
    Booking,
    BookingRequest,
    BookingStatus,
    BusyInterval,
    Residency,
    Slot,
)

from ..protocol import BookMutation, CancelMutation, MutationResult, ViolationOut
from .card_check import ResidencyCheck, ResidencyDecision
from .cities import CityRegistry
from .clock import server_now
from .db import Connection, Database, IntegrityConflict, parse_dt
from .live import CHANNEL
from .tenants import Credential

HOLDING = (BookingStatus.PROVISIONAL.value, BookingStatus.CONFIRMED.value)


def _violation(name: str, **params: str | int) -> ViolationOut:
    """A violation the server itself finds, coded like the domain's ``ViolationCode``."""
    from kiosk.domain.rules import ViolationCode

    return ViolationOut(code=ViolationCode[name].value, params=params)


def _violations_out(violations: Sequence[object]) -> list[ViolationOut]:
    out = []
    for v in violations:
        params = {k: (p if isinstance(p, int) else str(p)) for k, p in dict(v.params).items()}  # type: ignore[attr-defined]
        out.append(ViolationOut(code=str(v.code), params=params))  # type: ignore[attr-defined]
    return out


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
        self._residency = residency or ResidencyCheck([])

    # -- public -----------------------------------------------------------------------
    def apply(self, cred: Credential, mutation: BookMutation | CancelMutation) -> MutationResult:
        """Apply one mutation in its own transaction, or answer its stored result."""
        clashes = 0
        for attempt in range(5):
            try:
                with self._db.write() as c:
                    now = self._now()
                    if isinstance(mutation, BookMutation):
                        result, changed = self._book(c, cred, mutation, now, clashes)
                    else:
                        stored = c.one("SELECT result FROM mutations WHERE tenant = ? AND mutation_id = ?",
                                       (cred.tenant, mutation.mutation_id))
                        if stored is not None:
                            return _replayed(stored["result"])
                        result, changed = self._cancel(c, cred, mutation, now)
                        c.execute(_INSERT_MUTATION, (cred.tenant, mutation.mutation_id, cred.id, mutation.kind,
                                                     result.model_dump_json(), now))
                if changed:
                    self._on_change(cred.tenant)
                return result
            except IntegrityConflict as exc:
                # "unique": a concurrent delivery of the same mutation (or booking id)
                # won the race; "exclusion": another booking took the time between our
                # check and our insert. Either way the transaction is gone: go round
                # again, and the stored answer or the now-visible booking decides.
                if attempt == 4:
                    raise
                clashes += exc.kind == "exclusion"
        raise AssertionError("unreachable")

    # -- booking ----------------------------------------------------------------------
    def _book(self, c: Connection, cred: Credential, m: BookMutation, now: datetime,
              clashes: int) -> tuple[MutationResult, bool]:
        from kiosk.domain.fees import quote
        from kiosk.domain.rules import validate_booking
        from kiosk.domain.slots import effective_rules

        b = m.booking
        base = dict(mutation_id=m.mutation_id, kind="book", booking_id=b.booking_id, applied_at=now)
        # one round trip: an earlier answer, the booking if known, the person's bookings
        known = c.one(
            "SELECT (SELECT result FROM mutations WHERE tenant = ?1 AND mutation_id = ?2) AS stored,"
            " (SELECT status FROM bookings WHERE tenant = ?1 AND id = ?3) AS status,"
            " (SELECT total_yen FROM bookings WHERE tenant = ?1 AND id = ?3) AS total_yen,"
            f" ({_ACTIVE_SQL}) AS active",
            (cred.tenant, m.mutation_id, b.booking_id, b.person_key or "", *HOLDING, now),
        )
        assert known is not None
        if known["stored"] is not None:
            return _replayed(known["stored"]), False
        if known["status"] is not None:
            # the same booking pushed again under another mutation id: report what it is
            status = BookingStatus(known["status"])
            outcome = "rejected" if status is BookingStatus.REJECTED else "applied"
            result = MutationResult(**base, outcome=outcome, status=status, total_yen=known["total_yen"])
            c.execute(_INSERT_MUTATION, (cred.tenant, m.mutation_id, cred.id, "book", result.model_dump_json(), now))
            return result, False

        city = self._cities.get(cred.tenant, c)
        unit = next((u for u in city.units if u.id == b.unit_id), None)
        slots = tuple(sorted((Slot(s.start, s.end, s.block_code or _block_code(unit, s.start, s.end))
                              for s in b.slots), key=lambda s: (s.start, s.end)))
        violations: list[ViolationOut] = []
        total = 0
        # the kiosk's residency is a claim: for a card holder the server decides it
        decided = self._residency.decide(c, cred.tenant, cred.id, b, city, now)
        if unit is None:
            violations = [_violation("UNKNOWN_UNIT", unit_id=b.unit_id)]
        elif any(s.end <= s.start for s in slots):
            violations = [_violation("SLOT_NOT_OFFERED")]
        else:
            facility = next(f for f in city.facilities if f.id == unit.facility_id)
            rules = effective_rules(unit, city.rules)
            request = BookingRequest(
                unit_id=unit.id,
                slots=slots,
                applicant=Applicant(
                    residency=decided.residency,
                    person_key=b.person_key,
                    group_id=b.group_id,
                    active_bookings=int(known["active"]) if b.person_key else 0,
                ),
                surcharge_codes=frozenset(b.surcharge_codes),
                exemption_code=b.exemption_code,
            )
            busy = self._busy(c, cred.tenant, unit.id, slots[0].start, slots[-1].end)
            violations = _violations_out(
                validate_booking(request, unit, facility, busy, now, rules, city.exemptions,
                                 online=not b.provisional)
            )
            if not violations and clashes >= 3:
                # the database keeps refusing what the check allows: trust the database
                violations = [_violation("SLOT_TAKEN")]
            if not violations:
                exemption = city.exemptions.get(b.exemption_code) if b.exemption_code else None
                total = quote(unit, slots, decided.residency, b.surcharge_codes, exemption).total_yen

        if violations:
            result = MutationResult(**base, outcome="rejected", status=BookingStatus.REJECTED, violations=violations)
            with c.pipeline():
                if c.dialect == "postgresql" and not b.provisional:
                    # Nothing changed but the record of the answer: commit without waiting
                    # for the WAL flush. A crash in the next ~0.2 s can lose the record;
                    # a retry then checks again and, the time being taken, refuses again.
                    c.execute("SET LOCAL synchronous_commit TO off")
                self._insert(c, cred, b, decided, slots, BookingStatus.REJECTED, 0, now, holds=False,
                             reason=violations[0].code, with_slots=b.provisional)
                if b.provisional:
                    c.execute(
                        "INSERT INTO followups (tenant, booking_id, mutation_id, violations, created_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (cred.tenant, b.booking_id, m.mutation_id,
                         json.dumps([v.model_dump() for v in violations]), now),
                    )
                c.execute(_INSERT_MUTATION, (cred.tenant, m.mutation_id, cred.id, "book", result.model_dump_json(), now))
            return result, False
        result = MutationResult(**base, outcome="applied", status=BookingStatus.CONFIRMED, total_yen=total)
        # one round trip: the booking, its slots (the database refuses an overlap),
        # its change-feed rows and the stored answer
        with c.pipeline():
            self._insert(c, cred, b, decided, slots, BookingStatus.CONFIRMED, total, now, holds=True)
            self._log_changes(c, cred.tenant, b.booking_id, b.unit_id, slots, BookingStatus.CONFIRMED)
            c.execute(_INSERT_MUTATION, (cred.tenant, m.mutation_id, cred.id, "book", result.model_dump_json(), now))
        return result, True

    def _insert(self, c: Connection, cred: Credential, b, decided: ResidencyDecision, slots, status, total, now,
                *, holds: bool,
                reason: str | None = None, with_slots: bool = True) -> None:
        # No overlap check here: the database refuses an overlapping slot itself (the
        # exclusion constraint on PostgreSQL, the triggers of migration 2 on SQLite,
        # inside BEGIN IMMEDIATE), and apply() retries, to answer SLOT_TAKEN.
        c.execute(
            "INSERT INTO bookings (tenant, id, code, unit_id, status, residency, total_yen, person_key,"
            " group_id, contact, request, credential_id, provisional, status_reason, created_at, updated_at,"
            " residency_claimed, identity_check) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (cred.tenant, b.booking_id, b.code, b.unit_id, status.value, decided.residency.value, total,
             b.person_key, b.group_id, json.dumps(b.contact, ensure_ascii=False),
             # the card's proof (certificate, address) is checked, never kept
             b.model_dump_json(exclude={"contact", "identity"}), cred.id, int(b.provisional), reason,
             b.created_at or now, now, b.residency.value, decided.check.value),
        )
        if not with_slots:  # a refused online booking: nobody will look at its times again
            return
        for s in _distinct_starts(slots):
            c.execute(
                "INSERT INTO booking_slots (tenant, booking_id, unit_id, start_at, end_at, block_code, holds, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (cred.tenant, b.booking_id, b.unit_id, s.start, s.end, s.block_code, holds, status.value),
            )

    def _busy(self, c: Connection, tenant: str, unit_id: str, start: datetime, end: datetime) -> list[BusyInterval]:
        day_start = start.replace(hour=0, minute=0, second=0)
        rows = c.all(
            "SELECT start_at, end_at, status FROM booking_slots"
            " WHERE tenant = ? AND unit_id = ? AND holds AND start_at < ? AND end_at > ?",
            (tenant, unit_id, end + timedelta(days=1), day_start),
        )
        return [BusyInterval(unit_id, parse_dt(r["start_at"]), parse_dt(r["end_at"]), BookingStatus(r["status"]))
                for r in rows]

    def _log_changes(self, c: Connection, tenant: str, booking_id: str, unit_id: str,
                     slots: Sequence[Slot], status: BookingStatus) -> None:
        slots = _distinct_starts(slots)
        n = len(slots)
        # Taking the next numbers locks the tenant row until commit, so changes become
        # visible in sequence order and a reader never skips one committed late. The
        # numbers are read back inside the INSERT (no RETURNING): the whole write can
        # go to PostgreSQL in one pipeline.
        c.execute("UPDATE tenants SET seq = seq + ? WHERE code = ?", (n, tenant))
        for i, s in enumerate(slots):
            c.execute(
                "INSERT INTO changes (tenant, seq, booking_id, unit_id, start_at, end_at, status)"
                " SELECT ?, seq - ?, ?, ?, ?, ?, ? FROM tenants WHERE code = ?",
                (tenant, n - 1 - i, booking_id, unit_id, s.start, s.end, status.value, tenant),
            )
        if c.dialect == "postgresql":
            # delivered at commit to every server process LISTENing (sync.server.live)
            c.execute("SELECT pg_notify(?, ?)", (CHANNEL, tenant))

    # -- cancellation -----------------------------------------------------------------
    def _cancel(self, c: Connection, cred: Credential, m: CancelMutation, now: datetime) -> tuple[MutationResult, bool]:
        from kiosk.domain.rules import validate_cancellation
        from kiosk.domain.slots import effective_rules

        base = dict(mutation_id=m.mutation_id, kind="cancel", booking_id=m.booking_id, applied_at=now)
        row = c.one("SELECT * FROM bookings WHERE tenant = ? AND id = ?", (cred.tenant, m.booking_id))
        if row is None:
            return MutationResult(**base, outcome="rejected", status=None,
                                  violations=[_violation("NOT_CANCELLABLE", reason="unknown_booking")]), False
        status = BookingStatus(row["status"])
        if status is BookingStatus.CANCELLED:
            return MutationResult(**base, outcome="applied", status=status), False
        if not status.holds_time:
            return MutationResult(**base, outcome="rejected", status=status,
                                  violations=[_violation("NOT_CANCELLABLE")]), False
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
        unit = next((u for u in city.units if u.id == row["unit_id"]), None)
        rules = effective_rules(unit, city.rules) if unit is not None else city.rules
        violations = _violations_out(validate_cancellation(booking, now, rules))
        if violations:
            return MutationResult(**base, outcome="rejected", status=status, violations=violations), False
        c.execute("UPDATE bookings SET status = ?, updated_at = ? WHERE tenant = ? AND id = ?",
                  (BookingStatus.CANCELLED.value, now, cred.tenant, m.booking_id))
        c.execute("UPDATE booking_slots SET holds = ? WHERE tenant = ? AND booking_id = ?",
                  (False, cred.tenant, m.booking_id))
        self._log_changes(c, cred.tenant, m.booking_id, row["unit_id"], slots, BookingStatus.CANCELLED)
        return MutationResult(**base, outcome="applied", status=BookingStatus.CANCELLED), True


_INSERT_MUTATION = (
    "INSERT INTO mutations (tenant, mutation_id, credential_id, kind, result, applied_at) VALUES (?, ?, ?, ?, ?, ?)"
)
# bookings of person ?4 holding time (status ?5/?6) that have not ended by ?7
_ACTIVE_SQL = (
    "SELECT COUNT(*) FROM bookings b WHERE b.tenant = ?1 AND b.person_key = ?4 AND b.status IN (?5, ?6)"
    " AND EXISTS (SELECT 1 FROM booking_slots s WHERE s.tenant = b.tenant AND s.booking_id = b.id"
    " AND s.end_at > ?7)"
)


def _replayed(stored: str) -> MutationResult:
    return MutationResult.model_validate_json(stored).model_copy(update={"replayed": True})


def _block_code(unit, start: datetime, end: datetime) -> str | None:
    """A block slot sent without its code (older payloads): the block with those times."""
    for block in getattr(unit, "blocks", ()) if unit is not None and unit.mode == "block" else ():
        if block.start == start.time() and block.end == end.time():
            return block.code
    return None


def _distinct_starts(slots: Sequence[Slot]) -> list[Slot]:
    seen: dict[datetime, Slot] = {}
    for s in slots:
        seen.setdefault(s.start, s)
    return list(seen.values())

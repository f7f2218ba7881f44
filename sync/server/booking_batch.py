"""Applying a batch of book mutations in ONE transaction, each checked as if alone.

Group commit: the mutations that arrive while the previous batch is being written
(``group_commit``) are decided one after another, in arrival order, on what the
database held at the start of the transaction plus what the earlier mutations of the
batch did (their bookings, their stored answers). So the answers are exactly those of
applying them one by one, but the batch costs three round trips on PostgreSQL (one
read of every fact, one pipelined write, the commit) instead of four per mutation.

What stays as strict as before:

- every rule is checked by ``plan_booking`` for each mutation;
- the database refuses a double booking itself when the rows are written. Should
  another server process have taken a block between our read and our write, the whole
  transaction rolls back, nothing of the batch is kept, and the batch is decided again
  on the now committed state; a batch refused twice goes one mutation at a time, each
  with the retry loop of a lone mutation;
- a mutation id seen before (in the database or earlier in the batch) gets its
  original answer with ``replayed: true``, and nothing is written for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from kiosk.domain.model import BookingStatus, BusyInterval

from ..protocol import BookMutation, MutationResult
from .booking_plan import HOLDING, Facts, Planned, plan_booking
from .booking_writes import WriteSet
from .card_check import ResidencyCheck
from .cities import CityRegistry
from .db import Connection, Database, IntegrityConflict, parse_dt
from .tenants import Credential

Job = tuple[Credential, BookMutation]
LONE_ATTEMPTS = 5  # a lone mutation refused by a constraint is decided again this often
BATCH_ATTEMPTS = 2  # then a refused batch is split into lone mutations


class BookingBatches:
    def __init__(self, db: Database, cities: CityRegistry, residency: ResidencyCheck,
                 now: Callable[[], datetime], on_change: Callable[[str], None]) -> None:
        self._db = db
        self._cities = cities
        self._residency = residency
        self._now = now
        self._on_change = on_change

    def apply(self, jobs: Sequence[Job]) -> list[MutationResult]:
        """Each job's answer, in order; committed together (or, after conflicts, alone)."""
        clashes = 0
        attempts = LONE_ATTEMPTS if len(jobs) == 1 else BATCH_ATTEMPTS
        for attempt in range(attempts):
            try:
                results, changed = self._once(jobs, clashes)
            except IntegrityConflict as exc:
                # "unique": a concurrent delivery of the same mutation (or booking id)
                # won the race; "exclusion": another booking took the time between our
                # read and our write. Either way the transaction is gone: decide again,
                # and the stored answer or the now-visible booking decides.
                if attempt == attempts - 1 and len(jobs) == 1:
                    raise
                clashes += exc.kind == "exclusion"
                continue
            for tenant in changed:
                self._on_change(tenant)
            return results
        return [self.apply([job])[0] for job in jobs]

    def _once(self, jobs: Sequence[Job], clashes: int) -> tuple[list[MutationResult], set[str]]:
        writes = WriteSet()
        results: list[MutationResult] = []
        changed: set[str] = set()
        with self._db.write() as c:
            now = self._now()
            known = KnownState.read(c, jobs, now)
            for cred, m in jobs:
                city = self._cities.get(cred.tenant, c)
                planned = plan_booking(
                    c, cred, m, now, known.facts(cred.tenant, m), city, self._residency,
                    lambda unit, start, end, t=cred.tenant: known.busy(t, unit, start, end), clashes, writes)
                known.record(cred.tenant, m, planned, now)
                results.append(planned.result)
                if planned.confirmed_slots:
                    changed.add(cred.tenant)
            writes.write(c)
        return results, changed


class KnownState:
    """The facts of a batch's mutations, read in one round trip, then kept current as
    each mutation of the batch is decided."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], str | MutationResult] = {}
        self.bookings: dict[tuple[str, str], tuple[str, int | None]] = {}
        self.active: dict[tuple[str, str], int] = {}
        self._busy: dict[tuple[str, str], dict[tuple[str, datetime], BusyInterval]] = {}

    @classmethod
    def read(cls, c: Connection, jobs: Sequence[Job], now: datetime) -> KnownState:
        state = cls()
        by_tenant: dict[str, list[BookMutation]] = {}
        for cred, m in jobs:
            by_tenant.setdefault(cred.tenant, []).append(m)
        queries: list[tuple[str, str, object]] = []
        with c.pipeline():  # every query sent together; results read after the sync
            if c.dialect == "postgresql":
                # Planned for this batch's values and the tables as they are now: a plan
                # cached while a table was nearly empty (a new server's first rush) would
                # go on scanning it whole as it grows.
                c.execute("SET LOCAL plan_cache_mode TO force_custom_plan")
            for tenant, ms in by_tenant.items():
                queries += [(kind, tenant, c.execute(sql, params)) for kind, sql, params in _fact_queries(c, tenant, ms, now)]
        for kind, tenant, cursor in queries:
            rows = cursor.fetchall()  # type: ignore[attr-defined]
            if kind == "stored":  # a row for every key asked; NULL: not seen before
                state.stored.update(((tenant, r["mutation_id"]), r["result"]) for r in rows if r["result"] is not None)
            elif kind == "bookings":
                state.bookings.update(((tenant, r["id"]), (r["status"], r["total_yen"]))
                                      for r in rows if r["status"] is not None)
            elif kind == "active":
                state.active.update(((tenant, r["person_key"]), int(r["n"])) for r in rows)
            else:
                for r in rows:
                    start = parse_dt(r["start_at"])
                    state._busy.setdefault((tenant, r["unit_id"]), {})[(r["booking_id"], start)] = BusyInterval(
                        r["unit_id"], start, parse_dt(r["end_at"]), BookingStatus(r["status"]))
        return state

    def facts(self, tenant: str, m: BookMutation) -> Facts:
        b = m.booking
        stored = self.stored.get((tenant, m.mutation_id))
        status, total = self.bookings.get((tenant, b.booking_id), (None, None))
        return Facts(stored=stored, status=status, total_yen=total,
                     active=self.active.get((tenant, b.person_key), 0) if b.person_key else 0)

    def busy(self, tenant: str, unit_id: str, start: datetime, end: datetime) -> list[BusyInterval]:
        """The unit's busy intervals from the day of ``start`` to a day after ``end``
        (the same window a lone mutation reads)."""
        lo, hi = _window(start, end)
        return [i for i in self._busy.get((tenant, unit_id), {}).values() if i.start < hi and i.end > lo]

    def record(self, tenant: str, m: BookMutation, planned: Planned, now: datetime) -> None:
        """What ``m`` did, for the mutations after it in the batch."""
        if planned.replayed:
            return
        b = m.booking
        self.stored[(tenant, m.mutation_id)] = planned.result
        if (tenant, b.booking_id) not in self.bookings and planned.result.status is not None:
            self.bookings[(tenant, b.booking_id)] = (planned.result.status.value, planned.result.total_yen)
        if planned.confirmed_slots:
            if b.person_key and any(s.end > now for s in planned.confirmed_slots):
                self.active[(tenant, b.person_key)] = self.active.get((tenant, b.person_key), 0) + 1
            unit = self._busy.setdefault((tenant, b.unit_id), {})
            for s in planned.confirmed_slots:
                unit.setdefault((b.booking_id, s.start),
                                BusyInterval(b.unit_id, s.start, s.end, BookingStatus.CONFIRMED))


def _window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    return start.replace(hour=0, minute=0, second=0), end + timedelta(days=1)


def _fact_queries(c: Connection, tenant: str, ms: Sequence[BookMutation], now: datetime
                  ) -> list[tuple[str, str, tuple[object, ...]]]:
    """(kind, sql, params) reading every fact the mutations ``ms`` of ``tenant`` need."""
    # One index lookup per key, written as correlated subqueries: the planner cannot
    # turn those into a scan of the tenant's rows, whatever its statistics say (a new
    # server's tables have none, and rate ``tenant = ?`` as selective).
    mids, mids_params = c.text_keys("k", [m.mutation_id for m in ms])
    bids, bids_params = c.text_keys("k", [m.booking.booking_id for m in ms])
    booking = "FROM bookings b WHERE b.tenant = ? AND b.id = k.v"
    out: list[tuple[str, str, tuple[object, ...]]] = [
        ("stored", "SELECT k.v AS mutation_id, (SELECT m.result FROM mutations m"
                   f" WHERE m.tenant = ? AND m.mutation_id = k.v) AS result FROM {mids}", (tenant, *mids_params)),
        ("bookings", f"SELECT k.v AS id, (SELECT b.status {booking}) AS status,"
                     f" (SELECT b.total_yen {booking}) AS total_yen FROM {bids}", (tenant, tenant, *bids_params)),
    ]
    persons = sorted({m.booking.person_key for m in ms if m.booking.person_key})
    if persons:
        keys, keys_params = c.text_keys("k", persons)
        out.append(("active",
                    "SELECT k.v AS person_key, (SELECT COUNT(*) FROM bookings b"
                    " WHERE b.tenant = ? AND b.person_key = k.v AND b.status IN (?, ?)"
                    " AND (SELECT MAX(s.end_at) FROM booking_slots s WHERE s.tenant = b.tenant"
                    f" AND s.booking_id = b.id) > ?) AS n FROM {keys}",
                    (tenant, *HOLDING, now, *keys_params)))
    # one busy read per distinct window (a rush: one day), over the units booked in it
    windows: dict[tuple[datetime, datetime], set[str]] = {}
    for m in ms:
        starts, ends = [s.start for s in m.booking.slots], [s.end for s in m.booking.slots]
        windows.setdefault(_window(min(starts), max(ends)), set()).add(m.booking.unit_id)
    for (lo, hi), units in windows.items():
        unit_sql, unit_params = c.any_of("unit_id", sorted(units))
        if c.dialect == "postgresql":
            # the overlap as the exclusion constraint's own GiST index reads it: the rows
            # read are the tenant's bookings around that time, never all its bookings
            during, during_params = "tsrange(start_at, end_at) && tsrange(?, ?)", (lo, hi)
        else:
            during, during_params = "start_at < ? AND end_at > ?", (hi, lo)
        out.append(("busy",
                    "SELECT booking_id, unit_id, start_at, end_at, status FROM booking_slots"
                    f" WHERE tenant = ? AND {unit_sql} AND holds AND {during}",
                    (tenant, *unit_params, *during_params)))
    return out

"""The kiosk's local SQLite cache: city data, busy times, local bookings, outbox."""

from __future__ import annotations

import json
import sqlite3
import threading
from types import MappingProxyType
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import sqlite_utils

from kiosk.domain.model import (
    Booking,
    BookingStatus,
    BusyInterval,
    Category,
    Facility,
    Residency,
    Unit,
)
from kiosk.opendata import CityData

from . import _codec as c
from . import _feed
from ._open import open_checked
from ._outbox import OutboxMixin
from ._types import BusyChange, ChangeOp, Recovery, SyncState

_STATUS = {s.value: s for s in BookingStatus}
_UNSET = object()


class NoCityLoaded(LookupError):
    """The cache has no city yet: run the setup import (or a sync) first."""


class SlotConflict(Exception):
    """record_booking found the unit already busy at that time."""

    def __init__(self, unit_id: str, start: datetime) -> None:
        super().__init__(f"{unit_id} is already busy at {start:%Y-%m-%d %H:%M}")
        self.unit_id, self.start = unit_id, start


def code_key(code: str) -> str:
    """Booking codes compare without case, hyphens or spaces: "k7q 4mx" == "K7Q-4MX"."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class Cache(OutboxMixin):
    """One kiosk's cache file. Thread-safe: one connection behind a lock.

    Writes are single ``BEGIN IMMEDIATE`` transactions; the file is in WAL mode with
    ``synchronous=FULL`` so a commit that returned is on disk.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, recovery: Recovery | None) -> None:
        self.path = path
        self.recovery = recovery  # not None: the file was corrupt and rebuilt (show staff)
        self._conn = conn  # raw connection: the hot read path uses it directly
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        # The parsed city, with the PRAGMA data_version it was read at: parsing every
        # unit and facility costs milliseconds, and the calendar asks for the rules on
        # every screen. load_city() drops it; a commit by another connection (another
        # process syncing) changes data_version, which drops it too.
        self._city_memo: tuple[int, CityData] | None = None

    @classmethod
    def open(cls, path: Path | str, *, check: str = "integrity") -> "Cache":
        """Open (creating or migrating) the cache. ``check``: "integrity" (default),
        "quick" or "none" -- how hard to look for corruption before trusting the file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn, recovery = open_checked(path, check)
        cache = cls(path, conn, recovery)
        if recovery and recovery.salvaged_bookings:
            cache._rebuild_local_busy()
        return cache

    @property
    def was_rebuilt(self) -> bool:
        return self.recovery is not None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence | Mapping = ()) -> list[dict]:
        with self._lock:
            cursor = self._conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, r)) for r in cursor.fetchall()]

    # ------------------------------------------------------------ city data

    def load_city(self, city: CityData) -> None:
        """Replace the city's facilities, units, rules and exemptions (one transaction)."""
        with self._lock, self._write():
            # Under the lock, so no reader can memoize the old city in between; our own
            # commit does not change data_version, hence the explicit drop.
            self._city_memo = None
            self.db["city"].upsert({
                "id": 1, "code": city.code, "names": c.dumps(dict(city.name)),
                "prefecture": city.prefecture, "rules": c.dumps(c.rules_to_json(city.rules)),
                "exemptions": c.dumps({k: c.exemption_to_json(e) for k, e in city.exemptions.items()}),
                "resident_address_prefixes": c.dumps(list(city.resident_address_prefixes)),
                "facility_numbers": c.dumps(dict(city.facility_numbers)),
                "facility_records": c.dumps({k: dict(v) for k, v in city.facility_records.items()}),
            }, pk="id")
            self._conn.execute("DELETE FROM facilities")
            self._conn.execute("DELETE FROM units")
            self.db["facilities"].insert_all(
                ({"id": f.id, "position": i, "data": c.dumps(c.facility_to_json(f))}
                 for i, f in enumerate(city.facilities)), pk="id")
            self.db["units"].insert_all(
                ({"id": u.id, "facility_id": u.facility_id, "category": u.category.value, "position": i,
                  "data": c.dumps(c.unit_to_json(u))} for i, u in enumerate(city.units)), pk="id")

    def has_city(self) -> bool:
        return bool(self._rows("SELECT 1 FROM city WHERE id = 1"))

    def city(self) -> CityData:
        """The city's data (read-only: the same object is handed out until it changes)."""
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            memo = self._city_memo
            if memo is not None and memo[0] == version:
                return memo[1]
            city = self._read_city()
            self._city_memo = (version, city)
            return city

    def _read_city(self) -> CityData:
        rows = self._rows("SELECT * FROM city WHERE id = 1")
        if not rows:
            raise NoCityLoaded("no city data in the cache")
        row = rows[0]
        frozen = MappingProxyType  # shared between callers: nobody may change it
        return CityData(
            code=row["code"], name=frozen(json.loads(row["names"])),
            facilities=tuple(self._facilities()), units=tuple(self.units()),
            rules=c.rules_from_json(json.loads(row["rules"])),
            exemptions=frozen({k: c.exemption_from_json(v)
                               for k, v in json.loads(row["exemptions"]).items()}),
            resident_address_prefixes=tuple(json.loads(row["resident_address_prefixes"])),
            prefecture=row["prefecture"],
            facility_numbers=frozen(json.loads(row["facility_numbers"])),
            facility_records=frozen({k: frozen(v) for k, v in json.loads(row["facility_records"]).items()}),
        )

    def _facilities(self) -> list[Facility]:
        return [c.facility_from_json(json.loads(r["data"]))
                for r in self._rows("SELECT data FROM facilities ORDER BY position")]

    def categories(self) -> list[Category]:
        """Categories with at least one unit, in the enum's (display) order."""
        present = {r["category"] for r in self._rows("SELECT DISTINCT category FROM units")}
        return [cat for cat in Category if cat.value in present]

    def units(self, category: Category | None = None) -> list[Unit]:
        if category is None:
            rows = self._rows("SELECT data FROM units ORDER BY position")
        else:
            rows = self._rows("SELECT data FROM units WHERE category = ? ORDER BY position",
                              (Category(category).value,))
        return [c.unit_from_json(json.loads(r["data"])) for r in rows]

    def unit(self, unit_id: str) -> Unit:
        with self._lock:
            row = self._conn.execute("SELECT data FROM units WHERE id = ?", (unit_id,)).fetchone()
        if row is None:
            raise KeyError(unit_id)
        return c.unit_from_json(json.loads(row[0]))

    def facility(self, facility_id: str) -> Facility:
        with self._lock:
            row = self._conn.execute("SELECT data FROM facilities WHERE id = ?", (facility_id,)).fetchone()
        if row is None:
            raise KeyError(facility_id)
        return c.facility_from_json(json.loads(row[0]))

    # ------------------------------------------------------------ busy times

    def busy_between(self, unit_id: str, start: datetime, end: datetime) -> list[BusyInterval]:
        """Time-holding intervals of ``unit_id`` overlapping [start, end), by start.

        The hot path of every calendar screen: raw sqlite3 on a covering index, with
        the scan bounded below by the longest interval ever stored.
        """
        with self._lock:
            conn = self._conn
            span = self._max_span()
            rows = conn.execute(
                'SELECT start, "end", status FROM busy WHERE unit_id = ? AND start >= ? AND start < ?'
                ' AND "end" > ? ORDER BY start',
                (unit_id, c.iso(start - timedelta(seconds=span)), c.iso(end), c.iso(start)),
            ).fetchall()
        fromiso = datetime.fromisoformat
        return [BusyInterval(unit_id, fromiso(s), fromiso(e), _STATUS[st]) for s, e, st in rows]

    def _max_span(self) -> int:
        # Longest busy interval ever stored, in seconds: how far before a window's start
        # an overlapping interval can begin. Read each time: another process may write.
        return self._conn.execute("SELECT value FROM meta WHERE key = 'busy_max_span_s'").fetchone()[0]

    def _put_busy(self, rows: Sequence[tuple[str, str, str, str, str]]) -> None:
        """Upsert busy rows (booking_id, start, end, unit_id, status) inside a transaction."""
        if not rows:
            return
        self._conn.executemany(
            'INSERT OR REPLACE INTO busy (booking_id, start, "end", unit_id, status) VALUES (?, ?, ?, ?, ?)',
            rows)
        longest = max(int((datetime.fromisoformat(r[2]) - datetime.fromisoformat(r[1])).total_seconds())
                      for r in rows)
        self._conn.execute(
            "UPDATE meta SET value = max(value, ?) WHERE key = 'busy_max_span_s'", (longest,))

    def apply_changes(self, changes: Sequence[BusyChange], cursor: str,
                      synced_at: datetime | None = None) -> None:
        """Apply one page of the server's change feed and move the cursor, atomically."""
        rows = [(ch.booking_id, ch.unit_id, c.iso(ch.start), c.iso(ch.end), BookingStatus(ch.status).value,
                 ChangeOp(ch.op).value) for ch in changes]
        self.apply_feed_rows(rows, cursor, synced_at)

    def apply_feed_rows(self, rows: Sequence[tuple[str, str, str, str, str, str]], cursor: str,
                        synced_at: datetime | None = None) -> None:
        """``apply_changes`` for rows of wire text ``(booking_id, unit_id, start, end,
        status, op)`` (times ``YYYY-MM-DDTHH:MM:SS``, op "upsert"/"delete"): the sync
        engine's fast path, no object per row."""
        with self._write() as conn:
            _feed.apply_rows(conn, rows)
            self._set_cursor(conn, cursor, synced_at)

    def load_snapshot(self, chunks: Iterable[Sequence[Sequence[str]]], cursor: str,
                      synced_at: datetime | None = None) -> int:
        """Replace the busy times learnt from the server by a snapshot, atomically with
        its cursor. ``chunks`` yields lists of ``(booking_id, unit_id, start, end,
        status)`` wire text; if it raises (a cut-off download), nothing changes.
        Returns how many intervals were loaded."""
        with self._write() as conn:
            n = _feed.load_snapshot(conn, chunks)
            self._set_cursor(conn, cursor, synced_at)
        return n

    @staticmethod
    def _set_cursor(conn: sqlite3.Connection, cursor: str, synced_at: datetime | None) -> None:
        conn.execute("UPDATE sync_state SET cursor = ? WHERE id = 1", (cursor,))
        if synced_at is not None:
            conn.execute("UPDATE sync_state SET last_synced_at = ? WHERE id = 1", (c.iso(synced_at),))

    # ------------------------------------------------------------ local bookings

    def record_booking(self, booking: Booking, contact: Mapping[str, str], mutation: Mapping, *,
                       person_key: str | None = None, check_overlap: bool = True) -> None:
        """Store a booking made here, its busy time and its outbox row in ONE transaction.

        ``mutation`` is the JSON payload to push; its optional "mutation_id" (default:
        the booking id) and "kind" (default "create_booking") name the outbox row.
        Recording the same booking id again is a no-op. Raises SlotConflict if
        ``check_overlap`` and the unit is already busy then.
        """
        mutation_id = str(mutation.get("mutation_id", booking.id))
        kind = str(mutation.get("kind", "create_booking"))
        person_key = person_key if person_key is not None else contact.get("person_key")
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM local_bookings WHERE id = ?", (booking.id,)).fetchone():
                return
            if check_overlap and booking.status.holds_time:
                for slot in booking.slots:
                    hit = conn.execute(
                        'SELECT 1 FROM busy WHERE unit_id = ? AND start < ? AND "end" > ? AND start >= ?'
                        ' AND booking_id != ? LIMIT 1',
                        (booking.unit_id, c.iso(slot.end), c.iso(slot.start),
                         c.iso(slot.start - timedelta(seconds=self._max_span())), booking.id)).fetchone()
                    if hit:
                        raise SlotConflict(booking.unit_id, slot.start)
            conn.execute(
                "INSERT INTO local_bookings (id, code, code_key, unit_id, slots, status, residency,"
                " total_yen, created_at, person_key, contact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (booking.id, booking.code, code_key(booking.code), booking.unit_id,
                 c.dumps(c.slots_to_json(booking.slots)), booking.status.value, booking.residency.value,
                 booking.total_yen, c.iso(booking.created_at), person_key, c.dumps(dict(contact))))
            if booking.status.holds_time:
                self._put_busy([(booking.id, c.iso(s.start), c.iso(s.end), booking.unit_id, booking.status.value)
                                for s in booking.slots])
            self._enqueue(mutation_id, kind, mutation, booking.id, booking.created_at)

    def _rebuild_local_busy(self) -> None:
        with self._write():
            for row in self._rows("SELECT id, unit_id, slots, status FROM local_bookings"):
                if _STATUS[row["status"]].holds_time:
                    self._put_busy([(row["id"], s["start"], s["end"], row["unit_id"], row["status"])
                                    for s in json.loads(row["slots"])])

    @staticmethod
    def _booking(row: Mapping) -> Booking:
        return Booking(
            id=row["id"], code=row["code"], unit_id=row["unit_id"],
            slots=c.slots_from_json(json.loads(row["slots"])), status=_STATUS[row["status"]],
            residency=Residency(row["residency"]), total_yen=row["total_yen"],
            created_at=datetime.fromisoformat(row["created_at"]))

    def bookings_for(self, person_key: str) -> list[Booking]:
        rows = self._rows("SELECT * FROM local_bookings WHERE person_key = ? ORDER BY created_at, id",
                          (person_key,))
        return sorted((self._booking(r) for r in rows), key=lambda b: b.start)

    def find_booking(self, code: str) -> Booking | None:
        rows = self._rows("SELECT * FROM local_bookings WHERE code_key = ?", (code_key(code),))
        return self._booking(rows[0]) if rows else None

    def get_booking(self, booking_id: str) -> Booking | None:
        rows = self._rows("SELECT * FROM local_bookings WHERE id = ?", (booking_id,))
        return self._booking(rows[0]) if rows else None

    def booking_contact(self, booking_id: str) -> dict[str, str] | None:
        """The contact details kept with a local booking; None once purged."""
        rows = self._rows("SELECT contact FROM local_bookings WHERE id = ?", (booking_id,))
        return json.loads(rows[0]["contact"]) if rows and rows[0]["contact"] else None

    def booking_status_reason(self, booking_id: str) -> str | None:
        rows = self._rows("SELECT status_reason FROM local_bookings WHERE id = ?", (booking_id,))
        return rows[0]["status_reason"] if rows else None

    def set_booking_status(self, booking_id: str, status: BookingStatus, reason: str | None = None,
                           *, mutation: Mapping | None = None, now: datetime | None = None) -> None:
        """Change a local booking's status and its busy rows; with ``mutation`` (e.g. a
        cancellation to push) its outbox row is queued in the same transaction."""
        status = BookingStatus(status)
        with self._write() as conn:
            cur = conn.execute("UPDATE local_bookings SET status = ?, status_reason = ? WHERE id = ?",
                               (status.value, reason, booking_id))
            if cur.rowcount == 0:
                raise KeyError(booking_id)
            if status.holds_time:
                # Put the busy rows back too: a cancellation the server refused (too
                # late) leaves the booking holding its time again.
                row = conn.execute("SELECT unit_id, slots FROM local_bookings WHERE id = ?",
                                   (booking_id,)).fetchone()
                self._put_busy([(booking_id, s["start"], s["end"], row[0], status.value)
                                for s in json.loads(row[1])])
            else:
                conn.execute("DELETE FROM busy WHERE booking_id = ?", (booking_id,))
            if mutation is not None:
                self._enqueue(str(mutation["mutation_id"]), str(mutation.get("kind", "update_booking")),
                              mutation, booking_id, now or datetime.now())

    def purge_personal_data(self, synced_before: datetime) -> int:
        """Wipe contact details of bookings synced before ``synced_before``, and the
        payloads of outbox rows done by then. Returns how many bookings were wiped."""
        cutoff = c.iso(synced_before)
        with self._write() as conn:
            n = conn.execute("UPDATE local_bookings SET contact = NULL WHERE synced_at IS NOT NULL"
                             " AND synced_at < ? AND contact IS NOT NULL", (cutoff,)).rowcount
            conn.execute("UPDATE outbox SET payload = '{}' WHERE state != 'pending' AND done_at < ?", (cutoff,))
        return n

    def purge_past_bookings(self, ended_before: datetime) -> int:
        """Forget synced local bookings whose last slot ended before ``ended_before``."""
        cutoff = c.iso(ended_before)
        with self._write() as conn:
            gone = [r["id"] for r in self._rows("SELECT id, slots FROM local_bookings WHERE synced_at IS NOT NULL")
                    if max(s["end"] for s in json.loads(r["slots"])) < cutoff]
            conn.executemany("DELETE FROM local_bookings WHERE id = ?", [(i,) for i in gone])
        return len(gone)

    # ------------------------------------------------------------ sync state

    def sync_state(self) -> SyncState:
        r = self._rows("SELECT cursor, last_synced_at, clock_offset_ms FROM sync_state WHERE id = 1")[0]
        return SyncState(r["cursor"], c.from_iso(r["last_synced_at"]), r["clock_offset_ms"])

    def set_sync_state(self, *, cursor: object = _UNSET, last_synced_at: object = _UNSET,
                       clock_offset_ms: object = _UNSET) -> None:
        values = {}
        if cursor is not _UNSET:
            values["cursor"] = cursor
        if last_synced_at is not _UNSET:
            values["last_synced_at"] = c.iso(last_synced_at) if last_synced_at else None
        if clock_offset_ms is not _UNSET:
            values["clock_offset_ms"] = int(clock_offset_ms)
        if values:
            with self._write() as conn:
                conn.execute(f"UPDATE sync_state SET {', '.join(f'{k} = ?' for k in values)} WHERE id = 1",
                             tuple(values.values()))

import sqlite3
from datetime import datetime, timedelta

import pytest

from kiosk.cache import MIGRATIONS, BusyChange, Cache, ChangeOp, NoCityLoaded, OutboxState, SlotConflict, SyncState
from kiosk.domain.model import BookingStatus, BusyInterval, Category

from cache_helpers import make_booking


def test_fresh_file_pragmas_and_schema(tmp_path):
    cache = Cache.open(tmp_path / "sub" / "k.db")
    conn = cache._conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    plan = " ".join(r[3] for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT start, \"end\", status FROM busy WHERE unit_id = ? AND start >= ?"
        " AND start < ? AND \"end\" > ?", ("u", "a", "b", "c")))
    assert "COVERING INDEX busy_by_unit_start" in plan
    assert not cache.was_rebuilt
    with pytest.raises(NoCityLoaded):
        cache.city()
    assert not cache.has_city()
    assert cache.sync_state() == SyncState()
    cache.close()


def test_city_round_trip(cache, sample_city):
    assert cache.has_city()
    assert cache.city() == sample_city
    assert cache.categories() == list(Category)
    gyms = cache.units(Category.GYM)
    assert gyms and all(u.category is Category.GYM for u in gyms)
    assert [u.id for u in cache.units()] == [u.id for u in sample_city.units]
    assert cache.unit("tennis-a") == next(u for u in sample_city.units if u.id == "tennis-a")
    assert cache.facility("library").names["en"] == "Midori City Library"
    with pytest.raises(KeyError):
        cache.unit("nope")
    with pytest.raises(KeyError):
        cache.facility("nope")


def test_reloading_a_smaller_city_replaces_units(cache, sample_city):
    import dataclasses

    small = dataclasses.replace(sample_city, units=tuple(u for u in sample_city.units
                                                         if u.category is Category.TENNIS_COURT))
    cache.load_city(small)
    assert cache.categories() == [Category.TENNIS_COURT]
    assert len(cache.units()) == 4


def test_record_booking_writes_booking_busy_and_outbox(cache):
    b = make_booking(1, blocks=((9, 12), (13, 17)), code="k7q-4mx")
    cache.record_booking(b, {"name": "山田 花子", "phone": "090-0000-0000"}, {"unit_id": b.unit_id},
                         person_key="pk-1")
    assert cache.get_booking(b.id) == b
    assert cache.find_booking("K7Q 4MX") == b
    assert cache.find_booking("k7q4mx") == b
    assert cache.find_booking("ZZZ-ZZZ") is None
    assert cache.bookings_for("pk-1") == [b]
    assert cache.bookings_for("pk-2") == []
    assert cache.booking_contact(b.id)["name"] == "山田 花子"
    busy = cache.busy_between(b.unit_id, datetime(2027, 2, 3), datetime(2027, 2, 4))
    assert busy == [BusyInterval(b.unit_id, s.start, s.end, BookingStatus.CONFIRMED) for s in b.slots]
    [entry] = cache.outbox_pending()
    assert (entry.mutation_id, entry.kind, entry.booking_id, entry.state) == (b.id, "create_booking", b.id,
                                                                            OutboxState.PENDING)
    assert entry.payload == {"unit_id": b.unit_id}
    # Same booking again: idempotent.
    cache.record_booking(b, {}, {"unit_id": b.unit_id})
    assert len(cache.outbox_pending()) == 1


def test_record_booking_is_one_transaction(cache):
    b = make_booking(2)
    with pytest.raises(TypeError):  # the payload cannot be JSON: fails after booking + busy inserts
        cache.record_booking(b, {}, {"bad": object()})
    assert cache.get_booking(b.id) is None
    assert cache.busy_between(b.unit_id, datetime(2027, 2, 3), datetime(2027, 2, 4)) == []
    assert cache.outbox_pending() == []


def test_record_booking_refuses_a_taken_slot(cache):
    cache.record_booking(make_booking(1, blocks=((13, 17),)), {}, {})
    with pytest.raises(SlotConflict):
        cache.record_booking(make_booking(2, blocks=((9, 12), (14, 15))), {}, {})
    assert cache.get_booking(make_booking(2).id) is None
    cache.record_booking(make_booking(3, blocks=((9, 12), (17, 18))), {}, {})  # touching is fine


def test_busy_between_is_half_open_and_per_unit(cache):
    day = datetime(2027, 3, 1)
    changes = [
        BusyChange("tennis-a", day.replace(hour=9), day.replace(hour=10), BookingStatus.CONFIRMED, "x1"),
        BusyChange("tennis-a", day.replace(hour=10), day.replace(hour=11), BookingStatus.PROVISIONAL, "x2"),
        BusyChange("tennis-b", day.replace(hour=9), day.replace(hour=10), BookingStatus.CONFIRMED, "x3"),
        BusyChange("tennis-a", day.replace(hour=12), day.replace(hour=13), BookingStatus.CANCELLED, "x4"),
    ]
    cache.apply_changes(changes, cursor="c1")
    got = cache.busy_between("tennis-a", day.replace(hour=10), day.replace(hour=12))
    assert [(b.start.hour, b.status) for b in got] == [(10, BookingStatus.PROVISIONAL)]
    got = cache.busy_between("tennis-a", day.replace(hour=9, minute=59), day.replace(hour=10, minute=1))
    assert [b.start.hour for b in got] == [9, 10]
    assert cache.busy_between("tennis-a", day.replace(hour=11), day.replace(hour=23)) == []
    assert len(cache.busy_between("tennis-b", day, day + timedelta(days=1))) == 1


def test_long_intervals_are_found_from_inside(cache):
    start = datetime(2027, 4, 1, 9)
    cache.apply_changes([BusyChange("arena-full", start, start + timedelta(days=3), BookingStatus.CONFIRMED,
                                    "tournament")], cursor="c")
    inside = cache.busy_between("arena-full", datetime(2027, 4, 3, 13), datetime(2027, 4, 3, 17))
    assert [b.start for b in inside] == [start]


def test_apply_changes_upsert_delete_and_cursor(cache):
    b = make_booking(5, status=BookingStatus.PROVISIONAL)
    cache.record_booking(b, {}, {})
    s = b.slots[0]
    when = datetime(2027, 1, 10, 12)
    cache.apply_changes([BusyChange(b.unit_id, s.start, s.end, BookingStatus.CONFIRMED, b.id)], "c2", when)
    assert cache.get_booking(b.id).status is BookingStatus.CONFIRMED
    assert cache.busy_between(b.unit_id, s.start, s.end)[0].status is BookingStatus.CONFIRMED
    assert cache.sync_state() == SyncState("c2", when, 0)
    cache.apply_changes([BusyChange(b.unit_id, s.start, s.end, BookingStatus.REJECTED, b.id)], "c3")
    assert cache.get_booking(b.id).status is BookingStatus.REJECTED
    assert cache.busy_between(b.unit_id, s.start, s.end) == []
    cache.apply_changes([BusyChange("tennis-c", s.start, s.end, BookingStatus.CONFIRMED, "o1")], "c4")
    cache.apply_changes([BusyChange("tennis-c", s.start, s.end, BookingStatus.CONFIRMED, "o1",
                                    ChangeOp.DELETE)], "c5")
    assert cache.busy_between("tennis-c", s.start, s.end) == []
    assert cache.sync_state().cursor == "c5"


def test_apply_changes_is_atomic(cache):
    day = datetime(2027, 3, 2, 9)
    good = BusyChange("tennis-a", day, day + timedelta(hours=1), BookingStatus.CONFIRMED, "g1")
    bad = BusyChange("tennis-a", day, day + timedelta(hours=1), "exploded", "g2")
    with pytest.raises(ValueError):
        cache.apply_changes([good, bad], cursor="c9")
    assert cache.busy_between("tennis-a", day, day + timedelta(hours=1)) == []
    assert cache.sync_state().cursor is None


def test_cancel_frees_time_and_queues_mutation(cache):
    b = make_booking(6)
    cache.record_booking(b, {}, {})
    cache.set_booking_status(b.id, BookingStatus.CANCELLED, "person cancelled",
                             mutation={"mutation_id": "m-cancel-6", "kind": "cancel_booking", "booking_id": b.id},
                             now=datetime(2027, 1, 11))
    assert cache.get_booking(b.id).status is BookingStatus.CANCELLED
    assert cache.booking_status_reason(b.id) == "person cancelled"
    assert cache.busy_between(b.unit_id, b.start, b.end) == []
    assert [e.kind for e in cache.outbox_pending()] == ["create_booking", "cancel_booking"]
    with pytest.raises(KeyError):
        cache.set_booking_status("missing", BookingStatus.CANCELLED)


def test_outbox_order_done_and_purge(cache):
    bookings = [make_booking(n, blocks=((9 + n, 10 + n),)) for n in range(1, 4)]
    for b in bookings:
        cache.record_booking(b, {"name": f"person {b.id[-1]}"}, {"n": b.id})
    cache.enqueue("m-extra", "note", {"x": 1})
    assert [e.seq for e in cache.outbox_pending()] == sorted(e.seq for e in cache.outbox_pending())
    assert [e.mutation_id for e in cache.outbox_pending(limit=2)] == [bookings[0].id, bookings[1].id]
    cache.record_outbox_attempt(bookings[0].id, "timeout")
    first = cache.outbox_pending()[0]
    assert (first.attempts, first.last_error) == (1, "timeout")
    t = datetime(2027, 1, 12, 9)
    cache.mark_outbox_done(bookings[0].id, {"status": "confirmed"}, now=t)
    cache.mark_outbox_done(bookings[1].id, {"error": "slot_taken"}, rejected=True, now=t)
    assert [e.mutation_id for e in cache.outbox_pending()] == [bookings[2].id, "m-extra"]
    assert cache.outbox_entry(bookings[1].id).state is OutboxState.REJECTED
    assert cache.outbox_entry(bookings[0].id).result == {"status": "confirmed"}
    with pytest.raises(KeyError):
        cache.mark_outbox_done("nope", {})
    # Personal data: kept until synced, then wiped.
    assert cache.purge_personal_data(t) == 0
    assert cache.purge_personal_data(t + timedelta(minutes=1)) == 2
    assert cache.booking_contact(bookings[0].id) is None
    assert cache.booking_contact(bookings[2].id) == {"name": "person 3"}
    assert cache.outbox_entry(bookings[0].id).payload == {}
    assert cache.outbox_pending()[0].payload == {"n": bookings[2].id}
    assert cache.purge_past_bookings(datetime(2027, 2, 4)) == 2
    assert cache.get_booking(bookings[0].id) is None and cache.get_booking(bookings[2].id) is not None


def test_sync_state_setters(cache):
    t = datetime(2027, 1, 1, 8, 30)
    cache.set_sync_state(cursor="abc", last_synced_at=t, clock_offset_ms=-1500)
    assert cache.sync_state() == SyncState("abc", t, -1500)
    cache.set_sync_state(clock_offset_ms=20)
    assert cache.sync_state() == SyncState("abc", t, 20)


def test_rejects_aware_datetimes(cache):
    from datetime import timezone

    with pytest.raises(ValueError):
        cache.busy_between("tennis-a", datetime(2027, 1, 1, tzinfo=timezone.utc), datetime(2027, 1, 2))


def test_two_processes_worth_of_connections_write_concurrently(tmp_path, sample_city):
    import threading

    a, b = Cache.open(tmp_path / "k.db"), Cache.open(tmp_path / "k.db", check="quick")
    errors = []

    def writer(cache, base):
        try:
            for n in range(40):
                cache.enqueue(f"m-{base}-{n}", "note", {"n": n})
        except sqlite3.Error as exc:  # "database is locked" would mean no busy_timeout
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c, i)) for i, c in enumerate((a, b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(a.outbox_pending(limit=1000)) == 80
    a.close()
    b.close()

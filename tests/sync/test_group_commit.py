"""Book mutations applied in batches (group commit) on both real databases: each answer
is the one applying the mutations one by one would give, replays within a batch get the
original answer, a conflict refuses only the mutation it concerns, tenants stay apart."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest

from sync.protocol import BookMutation
from sync.server import booking_batch
from sync.server.bookings import BookingService
from sync.server.cities import CityRegistry
from sync.server.db import Database
from sync.server.tenants import Credential, CredentialCache

from .conftest import book_mutation, open_day, seed


@pytest.fixture
def world(db_url: str) -> Iterator[tuple[Database, BookingService, dict[str, Credential]]]:
    tenants = seed(db_url, {"midori": ["k1", "k2"], "aoba": ["k1"]})
    db = Database(db_url)
    changed: list[str] = []
    service = BookingService(db, CityRegistry(db), on_change=changed.append)
    creds = CredentialCache(db)
    who = {
        "midori/k1": creds.lookup(tenants["midori"].kiosk_tokens["k1"]),
        "midori/k2": creds.lookup(tenants["midori"].kiosk_tokens["k2"]),
        "aoba/k1": creds.lookup(tenants["aoba"].kiosk_tokens["k1"]),
    }
    yield db, service, who  # type: ignore[misc]
    db.close()


def _book(booking_id: str, day: date, block: str = "morning", unit: str = "chuo-hall", **kw) -> BookMutation:
    return BookMutation.model_validate(book_mutation(booking_id, unit, day, block, **kw))


def _feed(db: Database, tenant: str) -> list[tuple[int, str, str]]:
    with db.read() as c:
        return [(r["seq"], r["booking_id"], r["status"]) for r in
                c.all("SELECT seq, booking_id, status FROM changes WHERE tenant = ? ORDER BY seq", (tenant,))]


def test_a_batch_answers_as_one_by_one(world) -> None:
    db, service, who = world
    day = open_day()
    k1, k2 = who["midori/k1"], who["midori/k2"]
    results = service.apply_books([
        (k1, _book("b1", day)),
        (k2, _book("b2", day)),  # the same block, later in the batch: taken by b1
        (k1, _book("b3", day, "afternoon")),
        (k1, _book("b1", day)),  # the same mutation again within the batch: b1's answer
        (k2, _book("b1", day, mutation_id="m-other")),  # b1 pushed under another id: what it is
    ])
    assert [(r.booking_id, r.status.value, r.replayed) for r in results] == [  # type: ignore[union-attr]
        ("b1", "confirmed", False), ("b2", "rejected", False), ("b3", "confirmed", False),
        ("b1", "confirmed", True), ("b1", "confirmed", False)]
    assert [v.code for v in results[1].violations] == ["slot_taken"]
    assert results[3].model_dump(exclude={"replayed"}) == results[0].model_dump(exclude={"replayed"})
    assert results[4].outcome == "applied" and results[4].total_yen == results[0].total_yen
    # numbered in the order decided, one number per slot, nothing for the refusal
    assert _feed(db, "midori") == [(1, "b1", "confirmed"), (2, "b3", "confirmed")]
    # a later delivery of any of them: the stored answer
    again = service.apply_books([(k2, _book("b2", day)), (k2, _book("b1", day, mutation_id="m-other"))])
    assert [r.replayed for r in again] == [True, True]
    assert again[0].model_dump(exclude={"replayed"}) == results[1].model_dump(exclude={"replayed"})


def test_the_person_quota_counts_bookings_earlier_in_the_batch(world) -> None:
    """One person books more than the city allows (4 active bookings), all in one batch."""
    db, service, who = world
    day = open_day()
    wanted = [(u, "morning") for u in ("chuo-hall", "chuo-meeting-1", "chuo-meeting-2", "chuo-washitsu",
                                       "chuo-cooking")] + [("chuo-hall", "afternoon")]
    results = service.apply_books([(who["midori/k1"], _book(f"q{i}", day, block, unit=unit, person="same-person"))
                                   for i, (unit, block) in enumerate(wanted)])
    assert [r.outcome for r in results] == ["applied"] * 4 + ["rejected"] * 2
    assert {v.code for r in results[4:] for v in r.violations} == {"too_many_active_bookings"}


def test_tenants_in_one_batch_stay_apart(world) -> None:
    db, service, who = world
    day = open_day()
    results = service.apply_books([
        (who["midori/k1"], _book("same-id", day)),
        (who["aoba/k1"], _book("same-id", day)),  # another city: its own hall, its own ids
    ])
    assert [r.status.value for r in results] == ["confirmed", "confirmed"]  # type: ignore[union-attr]
    assert _feed(db, "midori") == [(1, "same-id", "confirmed")]
    assert _feed(db, "aoba") == [(1, "same-id", "confirmed")]


@dataclass
class TwoProcesses:
    """Two server processes' booking services on one PostgreSQL database, one kiosk."""

    service: BookingService
    other_service: BookingService
    cred: Credential
    day: date


@pytest.fixture
def two_processes(pg_url: str) -> Iterator[TwoProcesses]:
    tenants = seed(pg_url, {"midori": ["k1"]})
    db, other = Database(pg_url), Database(pg_url)
    try:
        cred = CredentialCache(db).lookup(tenants["midori"].kiosk_tokens["k1"])
        assert cred is not None
        yield TwoProcesses(BookingService(db, CityRegistry(db)), BookingService(other, CityRegistry(other)),
                           cred, open_day())
    finally:
        db.close()
        other.close()


@pytest.mark.postgres
def test_a_constraint_conflict_refuses_only_its_own_mutation(two_processes: TwoProcesses, monkeypatch) -> None:
    """Another server process takes a block between the batch's read and its write: the
    exclusion constraint refuses the batch, which is decided again on the committed
    state; only the mutation for that block is refused."""
    service, other_service = two_processes.service, two_processes.other_service
    cred, day = two_processes.cred, two_processes.day
    real_read = booking_batch.KnownState.read
    reads = []

    def read_then_race(c, jobs, now):
        state = real_read(c, jobs, now)
        if jobs[0][1].booking.booking_id == "elsewhere":  # the other process's own read
            return state
        if not reads:  # the other process commits its booking after our read
            assert other_service.apply(cred, _book("elsewhere", day)).status.value == "confirmed"  # type: ignore[union-attr]
        reads.append(len(jobs))
        return state

    monkeypatch.setattr(booking_batch.KnownState, "read", staticmethod(read_then_race))
    results = service.apply_books([
        (cred, _book("a", day, "afternoon")),
        (cred, _book("b", day)),  # the block the other process took
        (cred, _book("c", day, "evening")),
    ])
    assert reads == [3, 3]  # refused once by the constraint, decided again as a batch
    assert [(r.booking_id, r.status.value) for r in results] == [  # type: ignore[union-attr]
        ("a", "confirmed"), ("b", "rejected"), ("c", "confirmed")]
    assert [v.code for v in results[1].violations] == ["slot_taken"]


@pytest.mark.postgres
def test_a_batch_refused_twice_goes_one_by_one(two_processes: TwoProcesses, monkeypatch) -> None:
    service, other_service = two_processes.service, two_processes.other_service
    cred, day = two_processes.cred, two_processes.day
    real_read = booking_batch.KnownState.read
    reads = []
    races = iter([("x1", "morning"), ("x2", "afternoon")])

    def read_then_race(c, jobs, now):
        state = real_read(c, jobs, now)
        if jobs[0][1].booking.booking_id.startswith("x"):  # the other process's own read
            return state
        reads.append(len(jobs))
        race = next(races, None)
        if race:  # the other process takes a block after our read, twice
            other_service.apply(cred, _book(race[0], day, race[1]))
        return state

    monkeypatch.setattr(booking_batch.KnownState, "read", staticmethod(read_then_race))
    results = service.apply_books([(cred, _book("a", day)), (cred, _book("b", day, "afternoon")),
                                   (cred, _book("c", day, "evening"))])
    assert reads == [3, 3, 1, 1, 1]
    assert [(r.booking_id, r.status.value) for r in results] == [  # type: ignore[union-attr]
        ("a", "rejected"), ("b", "rejected"), ("c", "confirmed")]

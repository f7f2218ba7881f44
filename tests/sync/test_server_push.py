"""POST /v1/mutations through group commit, against a real server process on both
databases: concurrent deliveries, order within a push, authentication of every push."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from sync.server.group_commit import GroupCommit

from .conftest import book_mutation, client, open_day, seed


def test_concurrent_deliveries_of_one_mutation_book_once(db_url: str, server_factory) -> None:
    """A kiosk's retries race its first delivery (and each other): one booking, one answer."""
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    clients = [client(srv, t.kiosk_tokens["k1"]) for _ in range(20)]
    for c in clients:
        c.get("/v1/time")
    start = threading.Barrier(len(clients))
    m = book_mutation("once", "chuo-hall", open_day())

    def deliver(i: int) -> dict:
        start.wait()
        r = clients[i].post("/v1/mutations", json={"mutations": [m]})
        assert r.status_code == 200, r.text
        return r.json()["results"][0]

    with ThreadPoolExecutor(len(clients)) as pool:
        answers = list(pool.map(deliver, range(len(clients))))
    assert sum(not a["replayed"] for a in answers) == 1
    assert {(a["status"], a["applied_at"], a["total_yen"]) for a in answers} == {
        ("confirmed", answers[0]["applied_at"], answers[0]["total_yen"])}
    assert [i["booking_id"] for i in clients[0].get("/v1/snapshot").json()["intervals"]] == ["once"]


def test_a_push_is_applied_in_its_order(db_url: str, server_factory) -> None:
    """Book, cancel it, book the freed block again, in one push: each sees the one before."""
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    k1 = client(srv, t.kiosk_tokens["k1"])
    day = open_day(min_days=20)  # far from the cancellation deadline
    r = k1.post("/v1/mutations", json={"mutations": [
        book_mutation("first", "chuo-hall", day),
        {"mutation_id": "cancel-first", "kind": "cancel", "booking_id": "first"},
        book_mutation("second", "chuo-hall", day),
        book_mutation("third", "chuo-hall", day),
    ]})
    assert r.status_code == 200, r.text
    assert [(x["booking_id"], x["status"]) for x in r.json()["results"]] == [
        ("first", "confirmed"), ("first", "cancelled"), ("second", "confirmed"), ("third", "rejected")]


def test_a_revoked_kiosk_cannot_push_once_its_cached_credential_expires(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    k1 = client(srv, t.kiosk_tokens["k1"])
    day = open_day()
    assert k1.post("/v1/mutations", json={"mutations": [book_mutation("a", "chuo-hall", day)]}).status_code == 200

    from sync.server.db import Database
    from sync.server.tenants import revoke

    db = Database(db_url)
    revoke(db, "midori", "k1", "kiosk")
    db.close()
    deadline = time.monotonic() + 5  # the server caches a credential for 2 s at most
    n = 0
    while (r := k1.post("/v1/mutations", json={"mutations": [
            book_mutation(f"late-{n}", "chuo-hall", day, "afternoon" if n % 2 else "evening")]})).status_code != 403:
        assert r.status_code == 200, r.text
        assert time.monotonic() < deadline, "revocation did not take effect"
        n += 1
        time.sleep(0.2)
    assert client(srv, None).post("/v1/mutations", json={"mutations": []}).status_code == 401


def test_group_commit_fails_only_the_request_at_fault() -> None:
    """Requests queued while a batch is written go together in the next batch; should
    that batch fail, each request is applied alone and only the faulty one fails."""
    seen: list[list[str]] = []
    started, release = threading.Event(), threading.Event()

    def apply_batch(jobs: list[tuple[str, str]]) -> list[str]:
        seen.append([m for _, m in jobs])
        started.set()
        release.wait(10)
        if any(m == "bad" for _, m in jobs):
            raise ValueError("bad mutation")
        return [m.upper() for _, m in jobs]

    writer: GroupCommit[str, str, str] = GroupCommit(apply_batch)

    async def four_requests() -> list[object]:
        first = asyncio.ensure_future(writer.submit("k", ["first"]))
        while not started.is_set():  # the writer is busy with the first batch
            await asyncio.sleep(0.001)
        rest = [asyncio.ensure_future(writer.submit("k", ms)) for ms in (["a", "b"], ["bad"], ["c"])]
        await asyncio.sleep(0.05)  # all three queued
        release.set()
        return [await first] + list(await asyncio.gather(*rest, return_exceptions=True))

    answers = asyncio.run(four_requests())
    writer.close()
    assert seen == [["first"], ["a", "b", "bad", "c"], ["a", "b"], ["bad"], ["c"]]
    assert answers[0] == ["FIRST"] and answers[1] == ["A", "B"] and answers[3] == ["C"]
    assert isinstance(answers[2], ValueError)


def test_group_commit_refuses_work_once_closed() -> None:
    writer: GroupCommit[str, str, str] = GroupCommit(lambda jobs: [m for _, m in jobs])
    assert asyncio.run(writer.submit("k", ["x"])) == ["x"]
    writer.close()
    with pytest.raises(RuntimeError):
        asyncio.run(writer.submit("k", ["y"]))


def test_a_long_push_is_applied_in_pieces_in_order() -> None:
    """A kiosk's backlog does not hold the writer in one long transaction."""
    from sync.server.group_commit import MAX_REQUEST_PIECE

    seen: list[list[int]] = []

    def apply_batch(jobs: list[tuple[str, int]]) -> list[int]:
        seen.append([m for _, m in jobs])
        return [m * 10 for _, m in jobs]

    writer: GroupCommit[str, int, int] = GroupCommit(apply_batch)
    n = 2 * MAX_REQUEST_PIECE + 10
    answers = asyncio.run(writer.submit("k", list(range(n))))
    writer.close()
    assert answers == [m * 10 for m in range(n)]
    assert [len(b) for b in seen] == [MAX_REQUEST_PIECE, MAX_REQUEST_PIECE, 10]

"""Bookings through the real server on both databases: rules, idempotency, isolation,
no double booking under concurrency, follow-ups."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from .conftest import book_mutation, client, open_day, seed


def _push(c: httpx.Client, *mutations: dict) -> list[dict]:
    r = c.post("/v1/mutations", json={"mutations": list(mutations)})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_book_replay_conflict_feed_and_snapshot(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1", "k2"]})["midori"]
    srv = server_factory(db_url)
    k1, k2 = client(srv, t.kiosk_tokens["k1"]), client(srv, t.kiosk_tokens["k2"])
    day = open_day()
    first = _push(k1, book_mutation("b1", "chuo-hall", day))[0]
    assert first["outcome"] == "applied" and first["status"] == "confirmed", first
    assert first["total_yen"] > 0  # priced by the server, from the city's rates
    # a lost response retried: the ORIGINAL answer, no second booking
    again = _push(k1, book_mutation("b1", "chuo-hall", day))[0]
    assert again["replayed"] is True
    assert {k: v for k, v in again.items() if k != "replayed"} == {k: v for k, v in first.items() if k != "replayed"}
    # another kiosk, same block: refused
    clash = _push(k2, book_mutation("b2", "chuo-hall", day))[0]
    assert clash["outcome"] == "rejected" and clash["status"] == "rejected"
    assert [v["code"] for v in clash["violations"]] == ["slot_taken"]
    # the next block is free
    assert _push(k2, book_mutation("b3", "chuo-hall", day, "afternoon"))[0]["status"] == "confirmed"

    page = k2.get("/v1/changes", params={"since": ""}).json()
    assert [(c["booking_id"], c["status"]) for c in page["changes"]] == [("b1", "confirmed"), ("b3", "confirmed")]
    assert page["more"] is False
    raw = json.dumps(page, ensure_ascii=False)
    assert "山田" not in raw and "090" not in raw and "p-b1" not in raw  # nothing personal
    assert set(page["changes"][0]) == {"seq", "booking_id", "unit_id", "start", "end", "status"}
    # paging
    p1 = k2.get("/v1/changes", params={"since": "", "limit": 1}).json()
    assert p1["more"] is True and len(p1["changes"]) == 1
    p2 = k2.get("/v1/changes", params={"since": p1["cursor"], "limit": 1}).json()
    assert p2["changes"][0]["booking_id"] == "b3" and p2["cursor"] == page["cursor"]

    snap = k1.get("/v1/snapshot").json()
    assert sorted(i["booking_id"] for i in snap["intervals"]) == ["b1", "b3"]
    assert snap["cursor"] == page["cursor"]
    assert k1.get("/v1/changes", params={"since": "999999"}).status_code == 409


def test_cancel_frees_the_block_and_is_idempotent(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    k1 = client(srv, t.kiosk_tokens["k1"])
    day = open_day()
    _push(k1, book_mutation("b1", "chuo-hall", day))
    cancel = {"mutation_id": "c1", "kind": "cancel", "booking_id": "b1"}
    res = _push(k1, cancel)[0]
    assert res["outcome"] == "applied" and res["status"] == "cancelled"
    assert _push(k1, cancel)[0]["replayed"] is True
    changes = k1.get("/v1/changes").json()["changes"]
    assert [c["status"] for c in changes] == ["confirmed", "cancelled"]
    assert k1.get("/v1/snapshot").json()["intervals"] == []
    assert _push(k1, book_mutation("b2", "chuo-hall", day))[0]["status"] == "confirmed"
    unknown = _push(k1, {"mutation_id": "c2", "kind": "cancel", "booking_id": "nope"})[0]
    assert unknown["outcome"] == "rejected"


def test_server_checks_every_rule_itself(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    k1 = client(srv, t.kiosk_tokens["k1"])
    from datetime import timedelta

    from sync.server.clock import server_now

    past = _push(k1, book_mutation("old", "chuo-hall", open_day(min_days=-20)))[0]
    assert past["outcome"] == "rejected" and "in_the_past" in [v["code"] for v in past["violations"]]
    far = (server_now() + timedelta(days=400)).date()
    too_far = _push(k1, book_mutation("far", "chuo-hall", far))[0]
    assert too_far["outcome"] == "rejected"
    assert _push(k1, book_mutation("nounit", "no-such-unit", open_day()))[0]["violations"][0]["code"] == "unknown_unit"
    # a closed day (chuo-kominkan closes on Mondays)
    day = open_day()
    while day.weekday() != 0:
        day += timedelta(days=1)
    closed = _push(k1, book_mutation("mon", "chuo-hall", day))[0]
    assert "closed_day" in [v["code"] for v in closed["violations"]]


def test_tenants_are_isolated(db_url: str, server_factory) -> None:
    ts = seed(db_url, {"midori": ["k1"], "aozora": ["k1"]})
    srv = server_factory(db_url)
    a = client(srv, ts["midori"].kiosk_tokens["k1"])
    b = client(srv, ts["aozora"].kiosk_tokens["k1"])
    day = open_day()
    assert _push(a, book_mutation("b1", "chuo-hall", day))[0]["status"] == "confirmed"
    # the same unit id and block in another city is another room
    assert _push(b, book_mutation("b1", "chuo-hall", day))[0]["status"] == "confirmed"
    assert _push(b, book_mutation("b9", "chuo-hall", day, provisional=True))[0]["status"] == "rejected"
    assert [c["booking_id"] for c in b.get("/v1/changes").json()["changes"]] == ["b1"]
    # B cannot cancel A's booking: it does not exist for B (B's own b1 is the one hit)
    res = _push(b, {"mutation_id": "x", "kind": "cancel", "booking_id": "b1"})[0]
    assert res["status"] == "cancelled"
    assert a.get("/v1/snapshot").json()["intervals"][0]["booking_id"] == "b1"  # A's still there
    assert len(b.get("/v1/snapshot").json()["intervals"]) == 0
    # follow-ups: B's staff see B's, A's staff see none
    sa, sb = client(srv, ts["midori"].staff_token), client(srv, ts["aozora"].staff_token)
    assert sa.get("/v1/staff/followups").json() == []
    assert [f["booking_id"] for f in sb.get("/v1/staff/followups").json()] == ["b9"]
    # one tenant's token never passes as another's mutation id namespace either
    assert _push(a, {"mutation_id": "x", "kind": "cancel", "booking_id": "zzz"})[0]["replayed"] is False


def test_offline_booking_refused_lands_on_followups(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["a", "b"]})["midori"]
    srv = server_factory(db_url)
    a, b = client(srv, t.kiosk_tokens["a"]), client(srv, t.kiosk_tokens["b"])
    staff = client(srv, t.staff_token)
    day = open_day()
    assert _push(b, book_mutation("online", "chuo-hall", day))[0]["status"] == "confirmed"
    late = _push(a, book_mutation("offline", "chuo-hall", day, provisional=True,
                                  contact={"name": "佐藤", "phone": "080-1111-2222"}))[0]
    assert late["status"] == "rejected" and late["violations"][0]["code"] == "slot_taken"
    [f] = staff.get("/v1/staff/followups").json()
    assert f["booking_id"] == "offline" and f["contact"]["phone"] == "080-1111-2222"
    assert f["violations"][0]["code"] == "slot_taken" and f["slots"][0]["block_code"] == "morning"
    r = staff.post(f"/v1/staff/followups/{f['id']}/resolve", json={"resolution": "phoned; moved to afternoon"})
    assert r.status_code == 204
    assert staff.get("/v1/staff/followups").json() == []
    assert staff.post(f"/v1/staff/followups/{f['id']}/resolve", json={"resolution": "x"}).status_code == 404


def test_fifty_concurrent_requests_for_one_block_exactly_one_wins(db_url: str, server_factory) -> None:
    """50 kiosks, each its own credential, ask for the same block at once."""
    t = seed(db_url, {"midori": [f"k{i}" for i in range(50)]})["midori"]
    srv = server_factory(db_url)
    day = open_day()
    clients = [client(srv, tok) for tok in t.kiosk_tokens.values()]
    for c in clients:  # connections open before the race
        c.get("/v1/time")
    start = threading.Barrier(50)

    def attempt(i: int) -> dict:
        start.wait()
        return _push(clients[i], book_mutation(f"race-{i}", "chuo-hall", day, person=f"person-{i}"))[0]

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(attempt, range(50)))
    assert sum(r["status"] == "confirmed" for r in results) == 1
    assert all(r["violations"][0]["code"] == "slot_taken" for r in results if r["status"] != "confirmed")
    snap = clients[0].get("/v1/snapshot").json()["intervals"]
    assert len(snap) == 1
    assert len(clients[0].get("/v1/changes").json()["changes"]) == 1


def test_long_poll_wakes_on_a_new_change(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["a", "b"]})["midori"]
    srv = server_factory(db_url)
    a, b = client(srv, t.kiosk_tokens["a"]), client(srv, t.kiosk_tokens["b"])
    cursor = b.get("/v1/changes").json()["cursor"]
    with ThreadPoolExecutor(1) as pool:
        started = time.monotonic()
        waiting = pool.submit(b.get, "/v1/changes", params={"since": cursor, "wait": 20})
        time.sleep(0.5)
        _push(a, book_mutation(uuid.uuid4().hex, "chuo-hall", open_day()))
        page = waiting.result(timeout=10).json()
        elapsed = time.monotonic() - started
    assert len(page["changes"]) == 1
    assert elapsed < 3  # woke on the change, not at the 20 s timeout

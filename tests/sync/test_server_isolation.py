"""Tenants and roles, endpoint by endpoint, through a real server on both databases:
no token, an unknown or revoked one, the wrong role and the wrong city are all refused,
and one city's kiosk never reads or writes another city's data."""

from __future__ import annotations

import json
import time

import httpx

from sync.server import api_events, api_staff, api_sync
from sync.server.db import Database
from sync.server.tenants import revoke

from .conftest import book_mutation, client, open_day, seed

# method, path, role allowed ("kiosk", "staff", "any" authenticated, "public")
ENDPOINTS = [
    ("GET", "/v1/time", "public"),
    ("GET", "/v1/whoami", "any"),
    ("GET", "/v1/snapshot", "kiosk"),
    ("GET", "/v1/changes", "kiosk"),
    ("GET", "/v1/events", "kiosk"),
    ("POST", "/v1/mutations", "kiosk"),
    ("GET", "/v1/staff/followups", "staff"),
    ("POST", "/v1/staff/followups/{followup_id}/resolve", "staff"),
]


def test_every_route_of_the_sync_routers_is_in_the_matrix() -> None:
    routes = {(m, r.path) for router in (api_sync.router, api_events.router, api_staff.router)
              for r in router.routes for m in r.methods}
    assert routes == {(m, p) for m, p, _ in ENDPOINTS}


def call(c: httpx.Client, method: str, path: str) -> httpx.Response:
    path = path.replace("{followup_id}", "1")
    if method == "POST":
        body = ({"resolution": "x"} if "resolve" in path
                else {"mutations": [{"mutation_id": "m", "kind": "cancel", "booking_id": "b"}]})
        return c.post(path, json=body)
    if path == "/v1/events":  # a stream: only the status line matters here
        with c.stream("GET", path, params={"heartbeat": 1}) as r:
            return r
    return c.get(path)


def test_role_matrix_unknown_and_revoked(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    anonymous, stranger = client(srv, None), client(srv, "mdk_" + "x" * 43)
    kiosk, staff = client(srv, t.kiosk_tokens["k1"]), client(srv, t.staff_token)
    for method, path, role in ENDPOINTS:
        if role == "public":
            assert call(anonymous, method, path).status_code == 200
            continue
        assert call(anonymous, method, path).status_code == 401, path
        assert call(stranger, method, path).status_code == 401, path
        as_kiosk, as_staff = call(kiosk, method, path).status_code, call(staff, method, path).status_code
        if role == "kiosk":
            assert as_kiosk != 403 and as_staff == 403, (path, as_kiosk, as_staff)
        elif role == "staff":
            assert as_staff != 403 and as_kiosk == 403, (path, as_kiosk, as_staff)
        else:
            assert as_kiosk == as_staff == 200, path
    db = Database(db_url)
    revoke(db, "midori", "k1", "kiosk")
    revoke(db, "midori", "staff-1", "staff")
    db.close()
    time.sleep(2.2)  # the credential cache lives 2 s
    for method, path, role in ENDPOINTS:
        if role != "public":
            assert call(kiosk if role != "staff" else staff, method, path).status_code == 403, path


def test_one_city_never_sees_or_touches_another(db_url: str, server_factory) -> None:
    ts = seed(db_url, {"midori": ["k1"], "aozora": ["k1"]})
    srv = server_factory(db_url)
    a, b = client(srv, ts["midori"].kiosk_tokens["k1"]), client(srv, ts["aozora"].kiosk_tokens["k1"])
    sa, sb = client(srv, ts["midori"].staff_token), client(srv, ts["aozora"].staff_token)
    day = open_day()
    secret = {"name": "秘密 太郎", "phone": "090-9999-8888"}
    pushed = a.post("/v1/mutations", json={"mutations": [
        book_mutation("a-1", "chuo-hall", day, person="a-person", contact=secret),
        book_mutation("a-2", "chuo-hall", day, provisional=True, contact=secret),  # refused: a follow-up
    ]}).json()["results"]
    assert [r["status"] for r in pushed] == ["confirmed", "rejected"]
    [followup] = sa.get("/v1/staff/followups").json()

    # reads: B's feed, snapshot (both forms) and event stream hold nothing of A's
    assert b.get("/v1/changes").json()["changes"] == []
    assert b.get("/v1/snapshot").json()["intervals"] == []
    rows = b.get("/v1/snapshot", params={"format": "rows"}).text.splitlines()
    assert json.loads(rows[0])["count"] == 0 and len(rows) == 2
    with b.stream("GET", "/v1/events", params={"heartbeat": 1}) as r:
        events = []
        for line in r.iter_lines():
            events.append(line)
            if line.startswith("event: ping"):
                break
    assert not any(e.startswith("event: changes") for e in events)
    # A's cursor means nothing in B's feed
    a_cursor = a.get("/v1/changes").json()["cursor"]
    assert b.get("/v1/changes", params={"since": a_cursor}).status_code == 409
    # staff: B's staff see none of A's follow-ups and cannot resolve them
    assert sb.get("/v1/staff/followups", params={"include_resolved": True}).json() == []
    assert sb.post(f"/v1/staff/followups/{followup['id']}/resolve", json={"resolution": "x"}).status_code == 404
    assert sa.get("/v1/staff/followups").json()[0]["id"] == followup["id"]  # still open for A
    # writes: B replaying A's mutation id or cancelling A's booking touches only B's world
    replay = b.post("/v1/mutations", json={"mutations": [
        {"mutation_id": "a-1", "kind": "cancel", "booking_id": "a-1"}]}).json()["results"][0]
    assert replay["replayed"] is False and replay["outcome"] == "rejected"
    assert [i["booking_id"] for i in a.get("/v1/snapshot").json()["intervals"]] == ["a-1"]
    # B books the same unit and block: another city's room, so it is free
    mine = b.post("/v1/mutations", json={"mutations": [book_mutation("b-1", "chuo-hall", day)]}).json()
    assert mine["results"][0]["status"] == "confirmed"
    assert [c["booking_id"] for c in a.get("/v1/changes").json()["changes"]] == ["a-1"]
    assert b.get("/v1/whoami").json()["tenant"] == "aozora"

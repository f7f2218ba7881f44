"""Staff calls through a real server on SQLite and PostgreSQL: a kiosk raises a call
(once, however often it sends it), its city's staff see, acknowledge and close it;
another city's staff never see it; unknown kiosks and wrong roles are refused; the call
carries the kiosk and the screen, nothing personal."""

from __future__ import annotations

import threading
import time

from .conftest import client, seed

CALL = {"call_id": "call-0001-abcdef", "screen": "calendar", "language": "vi"}


def test_a_call_reaches_its_citys_staff_once(db_url: str, server_factory) -> None:
    ts = seed(db_url, {"midori": ["library-1", "library-2"], "aozora": ["k1"]})
    srv = server_factory(db_url)
    kiosk, staff = client(srv, ts["midori"].kiosk_tokens["library-1"]), client(srv, ts["midori"].staff_token)
    other_staff = client(srv, ts["aozora"].staff_token)

    first = kiosk.post("/v1/staff-calls", json=CALL)
    assert first.status_code == 201, first.text
    again = kiosk.post("/v1/staff-calls", json=CALL)  # a retry, a second tap: the same call
    assert again.status_code == 200 and again.json() == first.json()

    calls = staff.get("/v1/staff/calls").json()
    assert len(calls) == 1
    call = calls[0]
    assert (call["call_id"], call["kiosk"], call["screen"], call["context"], call["language"], call["status"]) == (
        "call-0001-abcdef", "library-1", "calendar", "screen", "vi", "open")
    assert set(call) == {"call_id", "kiosk", "screen", "context", "language", "status", "raised_at",
                         "acknowledged_at", "acknowledged_by", "closed_at", "closed_by"}

    # another city: sees nothing, can touch nothing
    assert other_staff.get("/v1/staff/calls", params={"include_closed": True}).json() == []
    assert other_staff.post(f"/v1/staff/calls/{CALL['call_id']}/acknowledge").status_code == 404
    assert other_staff.post(f"/v1/staff/calls/{CALL['call_id']}/close").status_code == 404
    # another kiosk of the same city may not reuse the id, nor read or cancel the call
    kiosk2 = client(srv, ts["midori"].kiosk_tokens["library-2"])
    assert kiosk2.post("/v1/staff-calls", json=CALL).status_code == 409
    assert kiosk2.get(f"/v1/staff-calls/{CALL['call_id']}").status_code == 404
    assert kiosk2.post(f"/v1/staff-calls/{CALL['call_id']}/cancel").status_code == 404

    ack = staff.post(f"/v1/staff/calls/{CALL['call_id']}/acknowledge")
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assert ack.json()["acknowledged_by"] == "staff-1" and ack.json()["acknowledged_at"]
    assert kiosk.get(f"/v1/staff-calls/{CALL['call_id']}").json()["status"] == "acknowledged"
    closed = staff.post(f"/v1/staff/calls/{CALL['call_id']}/close").json()
    assert closed["status"] == "closed" and closed["closed_by"] == "staff-1"
    assert staff.get("/v1/staff/calls").json() == []
    assert [c["status"] for c in staff.get("/v1/staff/calls", params={"include_closed": True}).json()] == ["closed"]
    # a closed call is over: acknowledging or cancelling it changes nothing
    assert staff.post(f"/v1/staff/calls/{CALL['call_id']}/acknowledge").json()["status"] == "closed"
    assert kiosk.post(f"/v1/staff-calls/{CALL['call_id']}/cancel").json()["status"] == "closed"


def test_the_person_cancels_and_the_kiosk_may_call_again(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    kiosk, staff = client(srv, t.kiosk_tokens["k1"]), client(srv, t.staff_token)
    assert kiosk.post("/v1/staff-calls", json={**CALL, "context": "timeout"}).status_code == 201
    cancelled = kiosk.post(f"/v1/staff-calls/{CALL['call_id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert staff.get("/v1/staff/calls").json() == []
    second = kiosk.post("/v1/staff-calls", json={"call_id": "call-0002-abcdef", "screen": "language"})
    assert second.status_code == 201 and second.json()["language"] is None
    assert [c["call_id"] for c in staff.get("/v1/staff/calls").json()] == ["call-0002-abcdef"]


def test_nothing_personal_and_only_kiosks_raise(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    kiosk, staff = client(srv, t.kiosk_tokens["k1"]), client(srv, t.staff_token)
    for extra in ({"name": "Nguyen Van A"}, {"phone": "09012345678"}, {"booking_code": "ABC1234"}):
        assert kiosk.post("/v1/staff-calls", json={**CALL, **extra}).status_code == 422, extra
    assert kiosk.post("/v1/staff-calls", json={**CALL, "screen": "Nguyen Van A"}).status_code == 422
    assert staff.get("/v1/staff/calls").json() == []
    # roles and credentials
    assert client(srv, None).post("/v1/staff-calls", json=CALL).status_code == 401
    assert client(srv, "mdk_" + "x" * 43).post("/v1/staff-calls", json=CALL).status_code == 401  # unknown kiosk
    assert staff.post("/v1/staff-calls", json=CALL).status_code == 403
    assert kiosk.get("/v1/staff/calls").status_code == 403
    assert kiosk.post(f"/v1/staff/calls/{CALL['call_id']}/acknowledge").status_code == 403
    assert client(srv, None).get("/v1/staff/calls").status_code == 401


def test_a_waiting_console_hears_of_a_new_call_at_once(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    kiosk, staff = client(srv, t.kiosk_tokens["k1"]), client(srv, t.staff_token)
    first = staff.get("/v1/staff/calls")
    etag = first.headers["ETag"]
    unchanged = staff.get("/v1/staff/calls", params={"known": etag, "wait": 0.5})
    assert unchanged.json() == [] and unchanged.headers["ETag"] == etag
    threading.Timer(0.5, lambda: kiosk.post("/v1/staff-calls", json=CALL)).start()
    started = time.monotonic()
    news = staff.get("/v1/staff/calls", params={"known": etag, "wait": 20}, timeout=30)
    took = time.monotonic() - started
    assert [c["call_id"] for c in news.json()] == [CALL["call_id"]] and news.headers["ETag"] != etag
    assert took < 4.0, took  # woken by the call, not by the 5 s safety re-read

"""A staff call whose person left: the kiosk marks it ``left`` when the session ends.

Real server processes on SQLite and PostgreSQL: the route is the raising kiosk's only
(another kiosk, another city's kiosk, staff and strangers are refused), a server of the
old schema (migration 50 only) keeps its calls through migration 51, the kiosk's
sender keeps a ``left`` queued while the network is cut, and a flow's wipe sends it."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.staff_calls import CallStatus, StaffCall, StaffCallSender
from sync.server import migrations
from sync.server.db import Database

from .conftest import CallLink, client, seed
from .test_kiosk_staff_calls import wait_for

CALL = {"call_id": "left-0001-abcdef", "screen": "confirm", "language": "vi"}


def test_left_is_the_raising_kiosks_to_say(db_url: str, server_factory) -> None:
    ts = seed(db_url, {"midori": ["library-1", "library-2"], "aozora": ["k1"]})
    srv = server_factory(db_url)
    kiosk = client(srv, ts["midori"].kiosk_tokens["library-1"])
    staff = client(srv, ts["midori"].staff_token)
    assert kiosk.post("/v1/staff-calls", json=CALL).status_code == 201
    path = f"/v1/staff-calls/{CALL['call_id']}/left"

    # refused: nobody, a stranger, staff (wrong role), another kiosk, another city's kiosk
    assert client(srv, None).post(path).status_code == 401
    assert client(srv, "mdk_" + "x" * 43).post(path).status_code == 401
    assert staff.post(path).status_code == 403
    assert client(srv, ts["midori"].kiosk_tokens["library-2"]).post(path).status_code == 404
    assert client(srv, ts["aozora"].kiosk_tokens["k1"]).post(path).status_code == 404
    assert [c["status"] for c in staff.get("/v1/staff/calls").json()] == ["open"]

    staff.post(f"/v1/staff/calls/{CALL['call_id']}/acknowledge")  # staff were on their way
    left = kiosk.post(path)
    assert left.status_code == 200 and left.json()["status"] == "left" and left.json()["closed_at"]
    assert kiosk.post(path).json()["status"] == "left"  # a retry: the same answer
    assert staff.get("/v1/staff/calls").json() == []  # nobody to go to
    everything = staff.get("/v1/staff/calls", params={"include_closed": True}).json()
    assert [(c["status"], c["acknowledged_by"]) for c in everything] == [("left", "staff-1")]
    assert client(srv, ts["aozora"].staff_token).get(
        "/v1/staff/calls", params={"include_closed": True}).json() == []
    # a call that is over stays over: staff closing it, the kiosk cancelling it
    assert staff.post(f"/v1/staff/calls/{CALL['call_id']}/close").json()["status"] == "left"
    assert kiosk.post(f"/v1/staff-calls/{CALL['call_id']}/cancel").json()["status"] == "left"
    assert kiosk.get(f"/v1/staff-calls/{CALL['call_id']}").json()["status"] == "left"


def test_a_closed_call_is_not_marked_left(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    kiosk, staff = client(srv, t.kiosk_tokens["k1"]), client(srv, t.staff_token)
    kiosk.post("/v1/staff-calls", json=CALL)
    staff.post(f"/v1/staff/calls/{CALL['call_id']}/close")
    assert kiosk.post(f"/v1/staff-calls/{CALL['call_id']}/left").json()["status"] == "closed"


def test_migration_51_keeps_the_calls_of_the_old_schema(db_url: str, monkeypatch) -> None:
    """A server that ran before ``left`` existed: its calls survive, ``left`` then fits."""
    old = [m for m in migrations.MIGRATIONS if m[0] != 51]
    db = Database(db_url)
    try:
        with monkeypatch.context() as m:
            m.setattr(migrations, "MIGRATIONS", old)
            migrations.migrate(db)
        with db.write() as c:
            c.execute("INSERT INTO tenants (code, city_dir, created_at) VALUES ('midori', '/x', ?)",
                      (datetime(2026, 11, 25, 9),))
            c.execute("INSERT INTO staff_calls (tenant, id, credential_id, kiosk, screen, context, status,"
                      " raised_at) VALUES ('midori', 'old-call-0001', 'cred', 'k1', 'home', 'screen', 'open', ?)",
                      (datetime(2026, 11, 25, 10),))
            with pytest.raises(Exception):
                with c.savepoint():
                    c.execute("UPDATE staff_calls SET status = 'left'")
        assert migrations.migrate(db) >= 51
        with db.write() as c:
            c.execute("UPDATE staff_calls SET status = 'left' WHERE id = 'old-call-0001'")
            rows = c.all("SELECT id, kiosk, status FROM staff_calls")
            assert [(r["id"], r["kiosk"], r["status"]) for r in rows] == [("old-call-0001", "k1", "left")]
            with pytest.raises(Exception):
                with c.savepoint():
                    c.execute("UPDATE staff_calls SET status = 'gone'")  # the check still holds
            assert c.one("SELECT version FROM schema_migrations WHERE version = 51") is not None
    finally:
        db.close()


def test_left_while_offline_is_queued_and_reaches_staff(call_link: CallLink) -> None:
    proxy, sender, staff = call_link.proxy, call_link.sender, call_link.staff
    sender.send(StaffCall("left-offline-1", "calendar", "screen", "vi"))
    assert sender.wait_delivered("left-offline-1", 5)
    proxy.down = True  # the network goes; the person walks away
    sender.left("left-offline-1")
    assert sender.status("left-offline-1") is CallStatus.LEFT and sender.pending() == 1
    time.sleep(0.6)
    assert [c["status"] for c in staff.get("/v1/staff/calls").json()] == ["open"]
    proxy.down = False
    assert wait_for(lambda: staff.get("/v1/staff/calls").json() == [])
    assert [c["status"] for c in staff.get("/v1/staff/calls", params={"include_closed": True}).json()] == [
        "left"]
    assert sender.pending() == 0
    # a call that never reached the server before its person left is dropped, not sent
    proxy.down = True
    sender.send(StaffCall("left-offline-2", "calendar"))
    sender.left("left-offline-2")
    proxy.down = False
    time.sleep(0.8)
    ids = [c["call_id"] for c in staff.get("/v1/staff/calls", params={"include_closed": True}).json()]
    assert ids == ["left-offline-1"] and sender.pending() == 0


@pytest.mark.parametrize("ending", ["start_over", "timeout", "wipe"])
def test_the_session_ending_marks_the_call_left(tmp_path: Path, server_factory, ending: str) -> None:
    """The flow's own wipe (Finish / start over, the inactivity timeout, the browser gone)
    marks its open call ``left``; the next person's session has no call."""
    from kiosk.cache import Cache
    from kiosk.flow import FixedClock, KioskFlow
    from kiosk.flow.assist import assist_of, attach
    from kiosk.opendata import load_city, sample_city_dir

    db_url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    t = seed(db_url, {"midori": ["library-1"]})["midori"]
    srv = server_factory(db_url)
    staff = client(srv, t.staff_token)
    sender = StaffCallSender(srv.url, t.kiosk_tokens["library-1"], retry_s=0.2).start()
    cache = Cache.open(tmp_path / "kiosk.sqlite")
    cache.load_city(load_city(sample_city_dir()))
    try:
        flow = KioskFlow(cache, FixedClock(datetime(2026, 11, 25, 10, 0)))
        attach(flow, sender)
        flow.select_language("vi")
        flow.select_task()
        assist_of(flow).call_staff()
        assert [c["status"] for c in staff.get("/v1/staff/calls").json()] == ["open"]
        getattr(flow, ending)()
        assert assist_of(flow).call_status() is None  # the next person sees no call
        assert wait_for(lambda: staff.get("/v1/staff/calls").json() == [])
        assert [c["status"] for c in staff.get("/v1/staff/calls", params={"include_closed": True}).json()] == [
            "left"]
    finally:
        sender.close()
        cache.close()

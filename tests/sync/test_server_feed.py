"""Clock, snapshot and change feed through a real server on both databases: pages,
cursors, the compact snapshot, consistency under concurrent writes, and privacy."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime

import httpx

from .conftest import book_mutation, client, open_day, seed

PERSONAL = ("山田", "090-", "secret-person", "佐藤")


def _push(c: httpx.Client, *mutations: dict) -> list[dict]:
    r = c.post("/v1/mutations", json={"mutations": list(mutations)})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def rows_snapshot(c: httpx.Client) -> tuple[dict, list[list[str]]]:
    lines = [json.loads(line) for line in c.get("/v1/snapshot", params={"format": "rows"}).text.splitlines()]
    header, *chunks, trailer = lines
    rows = [row for chunk in chunks for row in chunk]
    assert trailer == {"end": True, "count": len(rows)} and header["count"] == len(rows)
    return header, rows


def test_clock_is_city_time_and_close_to_now(db_url: str, server_factory) -> None:
    srv = server_factory(db_url)
    before = time.time()
    body = client(srv, None).get("/v1/time").json()
    after = time.time()
    assert before - 1 <= body["epoch_ms"] / 1000 <= after + 1
    assert body["time_zone"] == "Asia/Tokyo"
    now = datetime.fromisoformat(body["now"])
    assert now.tzinfo is None and now.microsecond == 0


def test_pages_cursor_ahead_and_both_snapshot_forms(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    k = client(srv, t.kiosk_tokens["k1"])
    day = open_day()
    contact = {"name": "山田 太郎", "phone": "090-1234-5678"}
    units = ["chuo-hall", "chuo-meeting-1", "chuo-meeting-2", "chuo-washitsu", "chuo-cooking"]
    for i, unit in enumerate(units):
        for block in ("morning", "afternoon"):
            _push(k, book_mutation(f"{unit}-{block}", unit, day, block, person=f"secret-person-{i}", contact=contact))
    _push(k, {"mutation_id": "c1", "kind": "cancel", "booking_id": "chuo-hall-morning"})
    full = k.get("/v1/changes").json()
    assert [c["seq"] for c in full["changes"]] == list(range(1, 12)) and full["cursor"] == "11"
    # pages of 4: 4 + 4 + 3, each cursor the last seq, "more" until the end
    seen, cursor = [], ""
    for expect_more in (True, True, False):
        page = k.get("/v1/changes", params={"since": cursor, "limit": 4}).json()
        assert page["more"] is expect_more
        seen += page["changes"]
        cursor = page["cursor"]
    assert seen == full["changes"] and cursor == "11"
    assert k.get("/v1/changes", params={"since": "11"}).json() == {"changes": [], "cursor": "11", "more": False}
    assert k.get("/v1/changes", params={"since": "12"}).status_code == 409
    assert k.get("/v1/changes", params={"since": "-1"}).status_code == 422
    # snapshot: the 9 live intervals, at cursor 11, identical in both forms
    snap = k.get("/v1/snapshot").json()
    header, rows = rows_snapshot(k)
    assert snap["cursor"] == header["cursor"] == "11"
    assert header["columns"] == ["booking_id", "unit_id", "start", "end", "status"]
    assert sorted(rows) == sorted([i["booking_id"], i["unit_id"], i["start"], i["end"], i["status"]]
                                  for i in snap["intervals"])
    assert len(rows) == 9 and "chuo-hall-morning" not in {r[0] for r in rows}
    # privacy: busy intervals only, nothing personal in any kiosk-facing answer
    for text in (json.dumps(full, ensure_ascii=False), json.dumps(snap, ensure_ascii=False),
                 k.get("/v1/snapshot", params={"format": "rows"}).text):
        assert not any(p in text for p in PERSONAL), text[:300]
    assert set(full["changes"][0]) == {"seq", "booking_id", "unit_id", "start", "end", "status"}
    assert set(snap["intervals"][0]) == {"seq", "booking_id", "unit_id", "start", "end", "status"}


def test_snapshot_is_consistent_with_its_cursor_under_concurrent_writes(db_url: str, server_factory) -> None:
    """Snapshot + the changes after its cursor == the final state, whenever it is taken."""
    t = seed(db_url, {"midori": ["w", "r"]})["midori"]
    srv = server_factory(db_url)
    writer, reader = client(srv, t.kiosk_tokens["w"]), client(srv, t.kiosk_tokens["r"])

    stop = threading.Event()

    def write() -> None:
        i = 0
        while not stop.is_set() and i < 60:
            day = open_day(min_days=10 + i // 3)
            unit = ["chuo-hall", "chuo-meeting-1", "hokubu-meeting"][i % 3]
            _push(writer, book_mutation(f"cw-{i}", unit, day, ["morning", "afternoon", "evening"][i % 3]))
            if i % 4 == 3:
                _push(writer, {"mutation_id": f"cx-{i}", "kind": "cancel", "booking_id": f"cw-{i - 1}"})
            i += 1

    thread = threading.Thread(target=write)
    thread.start()
    snapshots = []
    while thread.is_alive():
        snapshots.append(rows_snapshot(reader))
        time.sleep(0.01)
    thread.join()
    stop.set()
    final = {(r[0], r[2]): r for r in rows_snapshot(reader)[1]}
    assert len(snapshots) >= 3 and final
    for header, rows in snapshots:
        state = {(r[0], r[2]): r for r in rows}
        feed = reader.get("/v1/changes", params={"since": header["cursor"], "limit": 5000}).json()
        for c in feed["changes"]:
            key = (c["booking_id"], c["start"])
            if c["status"] in ("confirmed", "provisional"):
                state[key] = [c["booking_id"], c["unit_id"], c["start"], c["end"], c["status"]]
            else:
                state.pop(key, None)
        assert state == final, header["cursor"]

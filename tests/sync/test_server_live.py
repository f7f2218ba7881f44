"""The live channel through real servers on both databases: server-sent events and
long-poll wake within moments of a commit, including a commit made by ANOTHER server
process on the same database (PostgreSQL LISTEN/NOTIFY, SQLite data_version)."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid

import httpx

from .conftest import book_mutation, client, open_day, seed


def read_events(c: httpx.Client, out: queue.Queue, stop: threading.Event, **params) -> None:
    headers = {"Last-Event-ID": params.pop("last_event_id")} if "last_event_id" in params else {}
    with c.stream("GET", "/v1/events", params={"heartbeat": 1, **params}, headers=headers, timeout=30) as r:
        out.put(("status", r.status_code, r.headers.get("content-type")))
        event, eid = None, None
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("id:"):
                eid = line[3:].strip()
            elif line.startswith("data:"):
                out.put((event, eid, json.loads(line[5:])))
                eid = None
            if stop.is_set():
                return


def next_event(q: queue.Queue, kind: str, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        item = q.get(timeout=left)
        if item[0] == kind:
            return item
    raise TimeoutError(kind)


def test_events_stream_changes_pings_and_resume(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["a", "b"]})["midori"]
    srv = server_factory(db_url)
    a, b = client(srv, t.kiosk_tokens["a"]), client(srv, t.kiosk_tokens["b"])
    day = open_day()
    a.post("/v1/mutations", json={"mutations": [book_mutation("before", "chuo-hall", day)]})
    q: queue.Queue = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=read_events, args=(b, q, stop), daemon=True).start()
    assert q.get(timeout=5) == ("status", 200, "text/event-stream; charset=utf-8")
    _, eid, page = next_event(q, "changes")  # the backlog first
    assert eid == "1" and [c["booking_id"] for c in page["changes"]] == ["before"]
    started = time.monotonic()
    a.post("/v1/mutations", json={"mutations": [book_mutation("live", "chuo-hall", day, "evening")]})
    _, eid, page = next_event(q, "changes", 2.0)
    assert time.monotonic() - started < 2.0
    assert eid == "2" and page["cursor"] == "2" and page["changes"][0]["booking_id"] == "live"
    assert "contact" not in json.dumps(page) and "p-live" not in json.dumps(page)
    _, _, ping = next_event(q, "ping", 3.0)  # heartbeat 1 s
    assert ping["cursor"] == "2" and "server_time" in ping
    stop.set()
    # resume from an id: only what came after it
    q2: queue.Queue = queue.Queue()
    stop2 = threading.Event()
    threading.Thread(target=read_events, args=(b, q2, stop2), kwargs={"last_event_id": "1", "since": "0"},
                     daemon=True).start()
    _, eid, page = next_event(q2, "changes")
    assert eid == "2" and [c["booking_id"] for c in page["changes"]] == ["live"]
    stop2.set()
    assert b.get("/v1/events", params={"since": "99"}).status_code == 409


def test_a_commit_in_another_server_process_wakes_waiters(db_url: str, server_factory) -> None:
    """Two server processes on one database (as two uvicorn workers would be): a booking
    pushed to the first reaches a long-poll and an event stream held by the second."""
    t = seed(db_url, {"midori": ["a", "b"]})["midori"]
    first, second = server_factory(db_url), server_factory(db_url)
    a, b = client(first, t.kiosk_tokens["a"]), client(second, t.kiosk_tokens["b"])
    q: queue.Queue = queue.Queue()
    stop = threading.Event()
    threading.Thread(target=read_events, args=(b, q, stop), daemon=True).start()
    assert q.get(timeout=5)[1] == 200
    time.sleep(0.3)
    results: dict[str, float] = {}

    def long_poll() -> None:
        r = b.get("/v1/changes", params={"since": "", "wait": 20}, timeout=30)
        results["long-poll"] = time.monotonic()
        results["n"] = len(r.json()["changes"])

    poller = threading.Thread(target=long_poll)
    poller.start()
    time.sleep(0.3)
    sent = time.monotonic()
    a.post("/v1/mutations", json={"mutations": [book_mutation(uuid.uuid4().hex, "chuo-hall", open_day())]})
    next_event(q, "changes", 2.0)
    event_delay = time.monotonic() - sent
    poller.join(5)
    stop.set()
    assert results["n"] == 1
    # the fallback re-check runs every 5 s: well under it means the wake-up worked
    assert event_delay < 1.0, event_delay
    assert results["long-poll"] - sent < 1.0, results["long-poll"] - sent

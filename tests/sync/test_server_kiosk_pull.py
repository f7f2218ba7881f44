"""The kiosk's pull path against a real server: compact snapshot into a real cache
file, delta pages, the live event stream, and a cut-off snapshot changing nothing."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from kiosk.cache import Cache
from sync.client import ServerClient, ServerUnavailable, SyncEngine

from .conftest import book_mutation, client, open_day, seed


def busy_rows(cache: Cache) -> list[tuple]:
    return cache._conn.execute('SELECT booking_id, unit_id, start, "end", status FROM busy ORDER BY 1, 3').fetchall()


def test_bootstrap_delta_and_live_into_a_real_cache(db_url: str, server_factory, tmp_path: Path) -> None:
    t = seed(db_url, {"midori": ["a", "b"]})["midori"]
    srv = server_factory(db_url)
    a = client(srv, t.kiosk_tokens["a"])
    day = open_day()
    units = ["chuo-hall", "chuo-meeting-1", "chuo-meeting-2"]
    a.post("/v1/mutations", json={"mutations": [book_mutation(f"s-{u}", u, day) for u in units]})
    cache = Cache.open(tmp_path / "b.sqlite")
    engine = SyncEngine(cache, srv.url, t.kiosk_tokens["b"], heartbeat=1)
    try:
        assert engine.pull() == 3  # no cursor yet: bootstrap from the snapshot
        snap = a.get("/v1/snapshot").json()
        assert cache.sync_state().cursor == snap["cursor"]
        assert busy_rows(cache) == sorted((i["booking_id"], i["unit_id"], i["start"], i["end"], i["status"])
                                          for i in snap["intervals"])
        # a delta: one new booking, one cancellation
        a.post("/v1/mutations", json={"mutations": [
            book_mutation("d-1", "chuo-hall", day, "evening"),
            {"mutation_id": "x-1", "kind": "cancel", "booking_id": "s-chuo-meeting-1"}]})
        assert engine.pull() == 2
        assert {r[0] for r in busy_rows(cache)} == {"s-chuo-hall", "s-chuo-meeting-2", "d-1"}
        # live: the event stream brings the next booking without a pull
        listener = threading.Thread(target=engine.listen, daemon=True)
        listener.start()
        time.sleep(0.3)
        a.post("/v1/mutations", json={"mutations": [book_mutation("live-1", "chuo-washitsu", day)]})
        deadline = time.monotonic() + 2
        while "live-1" not in {r[0] for r in busy_rows(cache)}:
            assert time.monotonic() < deadline, "not seen within 2 s"
            time.sleep(0.02)
        engine._stop.set()
        engine.api.close_live()
        listener.join(5)
        assert not listener.is_alive()
    finally:
        engine.close()
        cache.close()


def test_background_engine_follows_the_feed_and_stops_promptly(db_url: str, server_factory, tmp_path: Path) -> None:
    t = seed(db_url, {"midori": ["a", "b"]})["midori"]
    srv = server_factory(db_url)
    a = client(srv, t.kiosk_tokens["a"])
    for live in ("sse", "long-poll", "poll"):
        cache = Cache.open(tmp_path / f"{live}.sqlite")
        engine = SyncEngine(cache, srv.url, t.kiosk_tokens["b"], live=live, poll_interval=0.5, long_poll_seconds=10)
        engine.start()
        try:
            time.sleep(0.5)
            bid = f"bg-{live}"
            block = {"sse": "morning", "long-poll": "afternoon", "poll": "evening"}[live]
            a.post("/v1/mutations", json={"mutations": [book_mutation(bid, "chuo-cooking", open_day(), block)]})
            deadline = time.monotonic() + 2
            while bid not in {r[0] for r in busy_rows(cache)}:
                assert time.monotonic() < deadline, f"{live}: not seen within 2 s"
                time.sleep(0.02)
        finally:
            threads = list(engine._threads)
            started = time.monotonic()
            engine.close()
            took = time.monotonic() - started
            cache.close()
        # stop() breaks a live request blocked in a socket read (an event stream between
        # heartbeats, a 10 s long-poll) at once: no thread is left behind
        assert took < 1.0, f"{live}: stopping took {took:.2f} s"
        assert not any(t.is_alive() for t in threads), f"{live}: a sync thread outlived stop()"
    # and with no stream left open, the server stops at once too (uvicorn waits for them)
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 5


def _transport(body: bytes, content_type: str = "application/x-ndjson") -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, content=body, headers={"content-type": content_type}))


def test_a_cut_off_snapshot_changes_nothing(tmp_path: Path) -> None:
    header = {"format": "rows-1", "cursor": "7", "server_time": "2030-01-01T00:00:00",
              "columns": ["booking_id", "unit_id", "start", "end", "status"], "count": 2}
    rows = [["b1", "u1", "2030-01-02T09:00:00", "2030-01-02T12:00:00", "confirmed"]]
    cut = (json.dumps(header) + "\n" + json.dumps(rows) + "\n").encode()  # no second row, no trailer
    cache = Cache.open(tmp_path / "k.sqlite")
    engine = SyncEngine(cache, "http://server.invalid", "t", transport=_transport(cut))
    with pytest.raises(ServerUnavailable):
        engine.bootstrap()
    assert busy_rows(cache) == [] and cache.sync_state().cursor is None
    lying = cut + (json.dumps({"end": True, "count": 2}) + "\n").encode()  # trailer, wrong count
    engine.api = ServerClient("http://server.invalid", "t", transport=_transport(lying))
    with pytest.raises(ServerUnavailable):
        engine.bootstrap()
    whole = (json.dumps(dict(header, count=1)) + "\n" + json.dumps(rows) + "\n"
             + json.dumps({"end": True, "count": 1}) + "\n").encode()
    engine.api = ServerClient("http://server.invalid", "t", transport=_transport(whole))
    assert engine.bootstrap() == 1 and cache.sync_state().cursor == "7"
    # an older server answering the JSON document instead: same result
    doc = {"intervals": [{"seq": 9, "booking_id": "b2", "unit_id": "u1", "start": "2030-01-03T09:00:00",
                          "end": "2030-01-03T12:00:00", "status": "confirmed"}], "cursor": "9",
           "server_time": "2030-01-01T00:00:00"}
    engine.api = ServerClient("http://server.invalid", "t", transport=_transport(json.dumps(doc).encode(),
                                                                                   "application/json"))
    assert engine.bootstrap() == 1 and cache.sync_state().cursor == "9"
    assert [r[0] for r in busy_rows(cache)] == ["b2"]  # the snapshot replaced what the server had sent
    engine.close()
    cache.close()

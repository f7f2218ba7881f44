"""Staff calls pushed to consoles: ``GET /v1/staff/calls/events`` on a real server (SQLite
and PostgreSQL), read by a real HTTP client. A call reaches the stream at once, its end
(``left``) too; heartbeats are comments; a reconnect with Last-Event-ID hears nothing it
has; another city hears nothing; kiosks and strangers are refused. The console's
``CallWatch`` follows the stream, and long-polls where the stream is refused."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from kiosk.i18n import Translator
from kiosk.staff_console import rows
from kiosk.staff_watch import CallWatch, _events

from .conftest import client, seed
from .test_kiosk_staff_calls import wait_for

CALL = {"call_id": "sse-call-0001", "screen": "calendar", "language": "vi"}


class Stream:
    """One open event stream, read on a thread: its events and comment lines, timed."""

    def __init__(self, http: httpx.Client, **params) -> None:
        headers = params.pop("headers", {})
        self.events: list[tuple[float, str, str | None, object]] = []
        self.comments: list[str] = []
        self.cond = threading.Condition()
        self._cm = http.stream("GET", "/v1/staff/calls/events", params=params, headers=headers,
                               timeout=httpx.Timeout(10, read=30))
        self.response = self._cm.__enter__()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        def lines():
            for line in self.response.iter_lines():
                if line.startswith(":"):
                    with self.cond:
                        self.comments.append(line)
                        self.cond.notify_all()
                yield line
        try:
            for event, event_id, data in _events(lines()):
                with self.cond:
                    self.events.append((time.monotonic(), event, event_id, json.loads(data)))
                    self.cond.notify_all()
        except httpx.HTTPError:
            pass

    def wait(self, predicate, timeout: float = 10.0) -> bool:
        with self.cond:
            return self.cond.wait_for(lambda: predicate(self), timeout)

    def calls(self) -> list:
        return [data for _, event, _, data in self.events if event == "calls"]

    def close(self) -> None:
        self.response.close()


def test_a_call_and_its_end_are_pushed_at_once(db_url: str, server_factory) -> None:
    ts = seed(db_url, {"midori": ["k1"], "aozora": ["k2"]})
    srv = server_factory(db_url)
    kiosk, staff = client(srv, ts["midori"].kiosk_tokens["k1"]), client(srv, ts["midori"].staff_token)
    mine = Stream(staff, heartbeat=0.5)
    other = Stream(client(srv, ts["aozora"].staff_token), heartbeat=0.5)
    try:
        assert mine.response.headers["content-type"].startswith("text/event-stream")
        assert mine.wait(lambda s: s.calls() == [[]])  # the list as it is now: empty
        raised_at = time.monotonic()
        assert kiosk.post("/v1/staff-calls", json=CALL).status_code == 201
        assert mine.wait(lambda s: len(s.calls()) == 2)
        at, _, event_id, calls = mine.events[-1]
        assert at - raised_at < 1.0  # woken by the commit, not by a re-read
        assert [(c["call_id"], c["status"], c["kiosk"]) for c in calls] == [(CALL["call_id"], "open", "k1")]
        assert event_id == staff.get("/v1/staff/calls", params={"recent_s": 900}).headers["ETag"]
        # the person's session ends: the console sees "left" (recent calls stay a while)
        kiosk.post(f"/v1/staff-calls/{CALL['call_id']}/left")
        assert mine.wait(lambda s: len(s.calls()) == 3)
        assert [c["status"] for c in mine.calls()[-1]] == ["left"]
        assert rows(mine.calls()[-1], Translator("ja"))[0].status == "離席: 利用者の操作が終わりました"
        # heartbeats are comments, and another city heard only its own empty list
        assert mine.wait(lambda s: ": ping" in s.comments, 5)
        assert other.wait(lambda s: ": ping" in s.comments, 5)
        assert other.calls() == [[]]
    finally:
        mine.close()
        other.close()


def test_a_reconnect_with_last_event_id_hears_only_news(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    kiosk, staff = client(srv, t.kiosk_tokens["k1"]), client(srv, t.staff_token)
    kiosk.post("/v1/staff-calls", json=CALL)
    first = Stream(staff, heartbeat=0.3)
    assert first.wait(lambda s: len(s.calls()) == 1)
    last_id = first.events[-1][2]
    first.close()
    # back with the id of the list it shows: pings, but no list until something changes
    again = Stream(staff, heartbeat=0.3, headers={"Last-Event-ID": last_id})
    try:
        assert again.wait(lambda s: len(s.comments) >= 2, 5)
        assert again.calls() == []
        staff.post(f"/v1/staff/calls/{CALL['call_id']}/acknowledge")
        assert again.wait(lambda s: len(s.calls()) == 1)
        assert again.calls()[0][0]["status"] == "acknowledged" and again.events[-1][2] != last_id
    finally:
        again.close()
    # an id the server never gave (or a stale one): the current list at once
    stale = Stream(staff, heartbeat=5, headers={"Last-Event-ID": "0123abcd"})
    try:
        assert stale.wait(lambda s: len(s.calls()) == 1, 5)
    finally:
        stale.close()


def test_only_staff_of_the_city_may_listen(db_url: str, server_factory) -> None:
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    path = "/v1/staff/calls/events"
    assert client(srv, None).get(path).status_code == 401
    assert client(srv, "mdk_" + "x" * 43).get(path).status_code == 401
    assert client(srv, t.kiosk_tokens["k1"]).get(path).status_code == 403
    assert client(srv, t.staff_token).get(path, headers={"Last-Event-ID": "not-hex!"}).status_code == 422


def test_the_console_follows_the_stream(tmp_path, server_factory) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    seen: list[list[dict]] = []
    watch = CallWatch(srv.url, t.staff_token, on_calls=seen.append, heartbeat_s=1).start()
    try:
        assert wait_for(lambda: seen == [[]])
        client(srv, t.kiosk_tokens["k1"]).post("/v1/staff-calls", json=CALL)
        assert wait_for(lambda: len(seen) == 2, 5) and watch.mode == "stream"
        assert seen[-1][0]["call_id"] == CALL["call_id"]
    finally:
        watch.close()


def test_the_console_long_polls_where_the_stream_is_refused(tmp_path, server_factory) -> None:
    """A proxy in front of the server that knows no event stream (404): the console
    falls back to the long-poll and still hears of a call within a moment."""
    db_url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    t = seed(db_url, {"midori": ["k1"]})["midori"]
    srv = server_factory(db_url)
    old = _OldProxy(srv.url)
    seen: list[list[dict]] = []
    watch = CallWatch(old.url, t.staff_token, on_calls=seen.append, heartbeat_s=1, poll_wait_s=20).start()
    try:
        assert wait_for(lambda: seen == [[]] and watch.mode == "poll")
        time.sleep(0.3)  # the console is waiting in its long-poll now
        raised = time.monotonic()
        client(srv, t.kiosk_tokens["k1"]).post("/v1/staff-calls", json=CALL)
        assert wait_for(lambda: len(seen) == 2, 5)
        assert time.monotonic() - raised < 2.0 and seen[-1][0]["status"] == "open"
        assert old.refused >= 1
    finally:
        watch.close()
        old.close()


class _OldProxy:
    """Forwards everything to the server (headers included) except the event stream: 404."""

    def __init__(self, upstream: str) -> None:
        self.refused = 0
        http = httpx.Client(base_url=upstream, timeout=60)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith("/v1/staff/calls/events"):
                    outer.refused += 1
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                r = http.get(self.path, headers={"Authorization": self.headers["Authorization"]})
                self.send_response(r.status_code)
                for name in ("Content-Type", "ETag"):
                    if name.lower() in r.headers:
                        self.send_header(name, r.headers[name])
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

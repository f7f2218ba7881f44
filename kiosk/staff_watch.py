"""A staff console's view of the city's calls: pushed by server-sent events, with the
long-poll as the fallback (docs/assisted.md).

``CallWatch`` keeps ``calls`` (the list the server last sent) and calls ``on_calls``
with every new list. It listens on ``GET /v1/staff/calls/events``; it falls back to
long-polling ``GET /v1/staff/calls?known=&wait=`` when the stream is refused (a server
without it: 404/405), cut, or silent for two heartbeats (a proxy that buffers streams),
and tries the stream again after ``retry_stream_s``. Both give the same list (open
calls and those ended in the last ``recent_s`` seconds) with the same ETag, so a console
switching between them neither misses nor repeats a change.

    watch = CallWatch("http://server:8600", staff_token, on_calls=print).start()
    watch.mode      # "stream" or "poll"
    watch.close()
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator

import httpx

log = logging.getLogger(__name__)


class StreamUnavailable(Exception):
    """The event stream cannot be used now: fall back to polling for a while."""


class CallWatch:
    def __init__(self, base_url: str, token: str, *, on_calls: Callable[[list[dict]], None] = lambda c: None,
                 heartbeat_s: float = 15.0, recent_s: int = 900, poll_wait_s: float = 25.0,
                 retry_stream_s: float = 60.0, stream: bool = True,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), transport=transport,
                                  headers={"Authorization": f"Bearer {token}",
                                           "User-Agent": "madoguchi-staff-console/1"})
        self.on_calls = on_calls
        self.heartbeat_s = heartbeat_s
        self.recent_s = recent_s
        self.poll_wait_s = poll_wait_s
        self.retry_stream_s = retry_stream_s
        self.use_stream = stream
        self.calls: list[dict] = []
        self.etag = ""  # names ``calls``: the stream's Last-Event-ID, the poll's ``known``
        self.mode = "stream" if stream else "poll"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life ------------------------------------------------------------------------
    def start(self) -> "CallWatch":
        self._thread = threading.Thread(target=self.run, name="staff-call-watch", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._http.close()  # ends a read in progress
        if self._thread is not None:
            self._thread.join(5)

    def run(self) -> None:
        poll_until = 0.0
        while not self._stop.is_set():
            try:
                if self.use_stream and time.monotonic() >= poll_until:
                    self.mode = "stream"
                    self._follow_stream()
                else:
                    self.mode = "poll"
                    self._poll_once()
            except StreamUnavailable as exc:
                log.info("staff calls: event stream unavailable (%s), long-polling", exc)
                poll_until = time.monotonic() + self.retry_stream_s
            except (httpx.HTTPError, RuntimeError, ValueError) as exc:
                if self._stop.is_set():
                    return
                log.info("staff calls: %s, retrying", type(exc).__name__)
                self._stop.wait(1.0)

    # -- the stream ----------------------------------------------------------------------
    def _follow_stream(self) -> None:
        headers = {"Accept": "text/event-stream"}
        if self.etag:
            headers["Last-Event-ID"] = self.etag  # resume: no event until the list differs
        # two heartbeats without a byte: the stream is dead or buffered by a proxy
        timeout = httpx.Timeout(10.0, read=2 * self.heartbeat_s)
        params = {"recent_s": self.recent_s, "heartbeat": self.heartbeat_s}
        try:
            with self._http.stream("GET", "/v1/staff/calls/events", params=params, headers=headers,
                                   timeout=timeout) as r:
                if r.status_code in (404, 405):
                    raise StreamUnavailable(f"HTTP {r.status_code}")
                if r.status_code != 200:
                    raise RuntimeError(f"HTTP {r.status_code}")
                for event, event_id, data in _events(r.iter_lines()):
                    if event == "calls":
                        self._update(json.loads(data), event_id)
                    elif event in ("bye", "revoked"):
                        if event == "revoked":
                            self._stop.wait(self.retry_stream_s)
                        return
                    if self._stop.is_set():
                        return
        except httpx.ReadTimeout as exc:
            raise StreamUnavailable("silent for two heartbeats") from exc
        except httpx.RemoteProtocolError as exc:  # cut mid-stream (no "bye"): poll a while
            raise StreamUnavailable("stream cut") from exc

    # -- the fallback ------------------------------------------------------------------
    def _poll_once(self) -> None:
        r = self._http.get("/v1/staff/calls", params={"known": self.etag, "wait": self.poll_wait_s,
                                                     "recent_s": self.recent_s},
                           timeout=self.poll_wait_s + 10)
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}")
        etag = r.headers.get("ETag", "")
        if etag != self.etag:
            self._update(r.json(), etag)

    def _update(self, calls: list[dict], etag: str | None) -> None:
        self.calls, self.etag = calls, etag or ""
        try:
            self.on_calls(calls)
        except Exception:  # a console's drawing bug must not stop the watch
            log.exception("drawing the staff calls failed")


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str | None, str]]:
    """(event, id, data) of each server-sent event; comments (``: ping``) are skipped.

    >>> list(_events(iter(["retry: 1000", "", ": ping", "", "id: ab", "event: calls", "data: []", ""])))
    [('calls', 'ab', '[]')]
    """
    event, event_id, data = "message", None, []
    for line in lines:
        if not line:
            if data:
                yield event, event_id, "\n".join(data)
            event, event_id, data = "message", None, []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "id":
                event_id = value
            elif name == "data":
                data.append(value)

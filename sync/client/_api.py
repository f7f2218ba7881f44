"""A thin typed client of the central server's HTTP API over httpx.

``transport`` is the seam: leave it None for real HTTP, or pass any
``httpx.BaseTransport`` (``httpx.MockTransport``, a Starlette TestClient transport) to
run the same client against an in-process peer.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import httpx


class SyncError(Exception):
    """Base of everything the sync link raises."""


class ServerUnavailable(SyncError):
    """No usable answer (network down, timeout, 5xx): retry later, keep working offline."""


class AuthRefused(SyncError):
    """401/403: this kiosk's credential is unknown or revoked. Staff must re-enrol it."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status


class CursorAhead(SyncError):
    """The server's feed is behind our cursor (restored database): bootstrap again."""


class LiveUnsupported(SyncError):
    """The server or a proxy on the way cannot stream events: use long-poll instead."""


class BadRequest(SyncError):
    """422/400: the server will never accept this request as sent."""

    def __init__(self, detail: Any) -> None:
        super().__init__(str(detail))
        self.detail = detail


class ServerClient:
    def __init__(self, base_url: str, token: str, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 5.0) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "madoguchi-kiosk-sync/1"},
            transport=transport,
            timeout=httpx.Timeout(timeout),
        )
        self._timeout = timeout
        # Live requests (event stream, long-poll) go on connections of their own, one per
        # request, whose socket close_live() can shut down from another thread.
        self._live_http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "User-Agent": "madoguchi-kiosk-sync/1"},
            transport=transport,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self.live_response: httpx.Response | None = None
        self._live_lock = threading.Lock()
        self._live_stream: Any = None  # the live request's TCP stream (httpcore), once connected
        self._live_closed = False

    def close(self) -> None:
        self.close_live()
        self._http.close()
        self._live_http.close()

    def _request(self, method: str, path: str, *, read_timeout: float | None = None, **kw: Any) -> Any:
        timeout = httpx.Timeout(self._timeout, read=read_timeout) if read_timeout else None
        try:
            r = self._http.request(method, path, timeout=timeout or httpx.USE_CLIENT_DEFAULT, **kw)
        except httpx.TransportError as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return self._check(r)

    def _check(self, r: httpx.Response) -> Any:
        """The JSON body of a good answer, or the SyncError its status means."""
        if r.status_code in (401, 403):
            raise AuthRefused(r.status_code, _detail(r))
        if r.status_code == 409:
            raise CursorAhead(_detail(r))
        if r.status_code in (400, 422):
            raise BadRequest(_detail(r))
        if r.status_code >= 300:
            raise ServerUnavailable(f"HTTP {r.status_code}: {_detail(r)}")
        try:
            return r.json()
        except ValueError as exc:  # a proxy's HTML error page, a cut-off body
            raise ServerUnavailable("unreadable response") from exc

    def time(self) -> dict[str, Any]:
        return self._request("GET", "/v1/time")

    def whoami(self) -> dict[str, Any]:
        return self._request("GET", "/v1/whoami")

    def snapshot(self) -> dict[str, Any]:
        """The snapshot as one JSON document (``sync.protocol.Snapshot``)."""
        return self._request("GET", "/v1/snapshot", read_timeout=max(self._timeout, 30.0))

    def snapshot_rows(self) -> tuple[dict[str, Any], list[list[list[str]]]]:
        """The snapshot in its compact streamed form (``format=rows``, docs/sync.md):
        the header (cursor, server_time, columns, count) and the row chunks, each row
        ``[booking_id, unit_id, start, end, status]``. Raises ServerUnavailable when the
        stream is cut off (no trailer, or a count that does not match)."""
        timeout = httpx.Timeout(self._timeout, read=max(self._timeout, 30.0))
        try:
            with self._http.stream("GET", "/v1/snapshot", params={"format": "rows"}, timeout=timeout) as r:
                if r.status_code != 200:
                    r.read()
                    self._check(r)
                if not r.headers.get("content-type", "").startswith("application/x-ndjson"):
                    r.read()
                    return _rows_from_document(self._check(r))
                return _parse_rows(r.iter_bytes())
        except httpx.TransportError as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def changes(self, since: str | None, limit: int = 1000, wait: float = 0) -> dict[str, Any]:
        params = {"since": since or "", "limit": limit, "wait": wait}
        if not wait:
            return self._request("GET", "/v1/changes", params=params)
        # a long-poll: streamed, so close_live() can break it from another thread
        timeout = httpx.Timeout(self._timeout, read=self._timeout + wait)
        self._live_begin()
        try:
            with self._live_http.stream("GET", "/v1/changes", params=params, timeout=timeout,
                                        extensions={"trace": self._trace}) as r:
                self._live_started(r)
                r.read()
                return self._check(r)
        except httpx.TransportError as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._live_ended()

    def events(self, since: str | None, heartbeat: float = 15.0) -> Iterator[tuple[str, Any]]:
        """The live channel (``GET /v1/events``): yields ``(event, data)`` as they come:
        ("changes", ChangesPage), ("ping", {...}), ("bye", ...), ("reset", ...),
        ("revoked", ...).
        Raises ServerUnavailable when the stream breaks or stays silent for more than
        two heartbeats; LiveUnsupported when the server (or a proxy) cannot stream."""
        timeout = httpx.Timeout(self._timeout, read=2 * heartbeat + self._timeout)
        params = {"since": since or "", "heartbeat": heartbeat}
        self._live_begin()
        try:
            with self._live_http.stream("GET", "/v1/events", params=params, timeout=timeout,
                                        headers={"Accept": "text/event-stream"},
                                        extensions={"trace": self._trace}) as r:
                self._live_started(r)
                if r.status_code in (404, 405, 406, 501):
                    raise LiveUnsupported(f"HTTP {r.status_code}")
                if r.status_code != 200:
                    r.read()
                    self._check(r)
                if not r.headers.get("content-type", "").startswith("text/event-stream"):
                    raise LiveUnsupported(r.headers.get("content-type", "no content type"))
                event, data, last = "message", [], None
                for line in r.iter_lines():
                    if not line:
                        if data:
                            last = event
                            yield event, json.loads("\n".join(data))
                        event, data = "message", []
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].lstrip())
                if last in ("bye", "reset", "revoked"):
                    return  # the server ended the stream on purpose
                # an end without "bye" is a cut (a proxy, a network) however clean it looks
                raise ServerUnavailable("event stream cut off")
        except httpx.TransportError as exc:
            raise ServerUnavailable(f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise ServerUnavailable(f"unreadable event: {exc}") from exc
        finally:
            self._live_ended()

    def _live_begin(self) -> None:
        with self._live_lock:
            if self._live_closed:
                raise ServerUnavailable("live requests stopped")

    def _trace(self, name: str, info: dict[str, Any]) -> None:
        """httpcore's trace hook: the live request's TCP stream, as soon as it connects
        (a long-poll sends no headers until it answers: the response comes too late)."""
        if name != "connection.connect_tcp.complete":
            return
        with self._live_lock:
            self._live_stream = info.get("return_value")
            closed = self._live_closed
        if closed:  # stop() came while this request was connecting
            _shutdown_stream(self._live_stream)

    def _live_started(self, r: httpx.Response) -> None:
        with self._live_lock:
            self.live_response = r
            closed = self._live_closed
        if closed:  # stop() came while this request was being sent
            _shutdown(r)

    def _live_ended(self) -> None:
        with self._live_lock:
            self.live_response = None
            self._live_stream = None

    def reopen_live(self) -> None:
        """Allow live requests again after ``close_live`` (an engine started again)."""
        with self._live_lock:
            self._live_closed = False

    def close_live(self) -> None:
        """Break a running live request (event stream or long-poll) from another thread,
        at once: the reader is blocked in the socket's recv(), which neither closing the
        response nor closing the file descriptor wakes on Linux; shutting the socket down
        does (the reader sees the connection end). Live requests made after this are
        broken as soon as they start, until ``reopen_live``."""
        with self._live_lock:
            self._live_closed = True
            r, stream = self.live_response, self._live_stream
        if stream is not None:
            _shutdown_stream(stream)
        elif r is not None:
            _shutdown(r)

    def push(self, mutations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return self._request("POST", "/v1/mutations", json={"mutations": list(mutations)})["results"]


def _shutdown_stream(stream: Any) -> bool:
    """Shut down the socket under an httpcore network stream; False if there is none."""
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is None:
        return False
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the peer or the reader
        pass
    return True


def _shutdown(r: httpx.Response) -> None:
    if _shutdown_stream(r.extensions.get("network_stream")):
        return
    try:  # no socket to reach (an in-process transport): close the response
        r.close()
    except Exception:  # already closing; the reader sees the stream end
        pass


def _parse_rows(stream: Iterator[bytes]) -> tuple[dict[str, Any], list[list[list[str]]]]:
    header: dict[str, Any] | None = None
    chunks: list[list[list[str]]] = []
    count = 0
    buf = b""
    try:
        for data in stream:
            buf += data
            *lines, buf = buf.split(b"\n")
            for line in lines:
                item = json.loads(line)
                if header is None:
                    if not isinstance(item, dict) or item.get("format") != "rows-1":
                        raise ServerUnavailable("unknown snapshot format")
                    header = item
                elif isinstance(item, list):
                    chunks.append(item)
                    count += len(item)
                elif item.get("end") is True and item.get("count") == count == header["count"]:
                    return header, chunks
                else:
                    raise ServerUnavailable("snapshot trailer does not match its rows")
    except ValueError as exc:
        raise ServerUnavailable(f"unreadable snapshot: {exc}") from exc
    raise ServerUnavailable("snapshot stream cut off before its trailer")


def _rows_from_document(doc: Mapping[str, Any]) -> tuple[dict[str, Any], list[list[list[str]]]]:
    """An older server answered with the JSON document: same result, slower."""
    rows = [[i["booking_id"], i["unit_id"], i["start"], i["end"], i["status"]] for i in doc["intervals"]]
    header = {"format": "rows-1", "cursor": doc["cursor"], "server_time": doc["server_time"], "count": len(rows),
              "columns": ["booking_id", "unit_id", "start", "end", "status"]}
    return header, [rows]


def _detail(r: httpx.Response) -> Any:
    try:
        return r.json().get("detail", r.text)
    except (ValueError, AttributeError):
        return r.text[:200]

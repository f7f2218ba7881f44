"""A fault-injecting HTTP proxy on loopback, between kiosks and the central server.

Real sockets both ways: kiosks talk HTTP/1.1 to it, it forwards over httpx and streams
the answer back (chunked), so the live channel (server-sent events) and the streamed
snapshot pass through it as they would through a real reverse proxy. Per request to a
faulty path it may, by a seeded coin:

- drop the request (close the connection, never forward it),
- delay it (up to ``max_delay`` seconds),
- duplicate it (forward it twice, concurrently; answer with either copy's response),
- drop the response (forward it, then close without answering: the kiosk cannot know
  whether the server applied it).

``down = True`` is a network cut: new requests are refused and every open connection
(a live event stream, a long-poll, a push waiting for its answer) is broken at once.
The server behind it may be killed and restarted meanwhile: the proxy then answers
502, as a real reverse proxy does.

    proxy = FaultProxy(server.url, seed=7).start()
    proxy.p_drop_response = 0.2
    ... kiosks use proxy.url ...
    proxy.close()
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding",
              "proxy-connection", "te", "upgrade", "accept-encoding"}
STREAMS = ("/v1/events",)  # never duplicated: a copy would hold a second stream open


class FaultProxy:
    def __init__(self, upstream: str, *, seed: int = 0, faulty_paths: tuple[str, ...] = ("/v1/mutations",)) -> None:
        self.upstream = upstream.rstrip("/")
        self.rng = random.Random(seed)
        self.faulty_paths = faulty_paths  # () : every path
        self._down = False
        self.p_drop_request = 0.0
        self.p_drop_response = 0.0
        self.p_duplicate = 0.0
        self.p_delay = 0.0
        self.max_delay = 0.3
        self.stats: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()  # client connections being answered
        self._http = httpx.Client(timeout=httpx.Timeout(60.0), limits=httpx.Limits(max_connections=64))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        # a kiosk that gave up waiting closed its end: not an error worth a traceback
        self._server.handle_error = lambda request, client_address: None
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    @property
    def down(self) -> bool:
        return self._down

    @down.setter
    def down(self, value: bool) -> None:
        self._down = value
        if value:
            with self._lock:
                open_now = list(self._open)
            for sock in open_now:  # the cable is pulled: open connections break too
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self.down = True
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    def quiet(self) -> None:
        """No more faults: the network is healthy again."""
        self.down = False
        self.p_drop_request = self.p_drop_response = self.p_duplicate = self.p_delay = 0.0

    def _decide(self, path: str) -> tuple[bool, float, bool, bool]:
        """(drop request, delay seconds, duplicate, drop response) for one request."""
        if self.faulty_paths and not path.startswith(self.faulty_paths):
            return False, 0.0, False, False
        with self._lock:
            r = self.rng
            drop_req = r.random() < self.p_drop_request
            delay = r.uniform(0, self.max_delay) if r.random() < self.p_delay else 0.0
            dup = r.random() < self.p_duplicate and not path.startswith(STREAMS)
            drop_resp = r.random() < self.p_drop_response
        return drop_req, delay, dup, drop_resp

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> httpx.Response | None:
        """The whole upstream answer, or None when the server cannot be reached."""
        try:
            return self._http.request(method, self.upstream + path, headers=headers, content=body)
        except (httpx.HTTPError, RuntimeError):
            return None  # the server is down or restarting, or the proxy is closing

    def count(self, what: str) -> None:
        with self._lock:
            self.stats[what] += 1

    def _track(self, sock: socket.socket, on: bool) -> None:
        with self._lock:
            (self._open.add if on else self._open.discard)(sock)


def _handler(proxy: FaultProxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _drop(self) -> None:
            self.close_connection = True

        def _bad_gateway(self) -> None:
            proxy.count("bad_gateway")
            payload = json.dumps({"detail": "bad gateway"}).encode()
            self.send_response(502)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _whole(self, response: httpx.Response) -> None:
            self.send_response(response.status_code)
            self.send_header("Content-Type", response.headers.get("content-type", "application/json"))
            self.send_header("Content-Length", str(len(response.content)))
            self.end_headers()
            self.wfile.write(response.content)

        def _proxy(self) -> None:
            proxy._track(self.connection, True)
            try:
                self._answer()
            finally:
                proxy._track(self.connection, False)

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if proxy.down:
                proxy.count("refused")
                return self._drop()
            drop_req, delay, dup, drop_resp = proxy._decide(self.path)
            if drop_req:
                proxy.count("dropped_request")
                return self._drop()
            if delay:
                proxy.count("delayed")
                time.sleep(delay)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            if dup:
                return self._duplicated(headers, body, drop_resp)
            try:
                with proxy._http.stream(self.command, proxy.upstream + self.path, headers=headers,
                                        content=body) as upstream:
                    if drop_resp or proxy.down:
                        proxy.count("dropped_response")
                        return self._drop()
                    self._stream(upstream)
            except (httpx.HTTPError, RuntimeError):
                if proxy.down:
                    return self._drop()
                self._bad_gateway()

        def _stream(self, upstream: httpx.Response) -> None:
            self.send_response(upstream.status_code)
            self.send_header("Content-Type", upstream.headers.get("content-type", "application/json"))
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in upstream.iter_raw():
                if proxy.down:  # cut mid-stream: no terminating chunk, the kiosk sees a break
                    return self._drop()
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")

        def _duplicated(self, headers: dict[str, str], body: bytes, drop_resp: bool) -> None:
            proxy.count("duplicated")
            twin: list[httpx.Response | None] = []
            worker = threading.Thread(target=lambda: twin.append(
                proxy.forward(self.command, self.path, headers, body)), daemon=True)
            worker.start()
            response = proxy.forward(self.command, self.path, headers, body)
            worker.join(60)
            if twin and twin[0] is not None and proxy.rng.random() < 0.5:
                response = twin[0]  # either copy's answer may be the one that arrives
            if drop_resp or proxy.down:
                proxy.count("dropped_response")
                return self._drop()
            if response is None:
                return self._bad_gateway()
            self._whole(response)

        do_GET = do_POST = do_PUT = do_DELETE = _proxy

    return Handler

"""A tiny HTTP control port (127.0.0.1 only) so tests, demos and workshops can
"insert" and "remove" the virtual card and inspect what the kiosk sent it.

    GET  /                          a control page (HTML) for demos and workshops
    GET  /state                     inserted, owned, reader port, PIN tries left
    POST /insert  /remove           put the card on the reader / take it away
    POST /reset-tries               both PINs back to 3 tries
    POST /remove-on?ins=B0&skip=0   vanish when the (skip+1)-th such command arrives (ins=off: disarm)
    POST /tries?pin=card_info&n=1   set a PIN's retry counter (pin: card_info | auth)
    GET  /apdus                     every command received (VERIFY data masked)
    POST /apdus/clear
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from string import Template
from urllib.parse import parse_qs, urlparse

from kiosk.card.guard import AID_CARD_INFO, AID_JPKI
from kiosk.card.virtual.vpcd import VpcdLink

PINS = {"card_info": (AID_CARD_INFO, 0x0011), "auth": (AID_JPKI, 0x0018)}
MAX_TRIES = 3


class Page(str):
    """An HTML answer (everything else the control server says is JSON)."""


def masked(command: bytes) -> str:
    """Hex of a command; the data of a VERIFY (a PIN) is masked even on the card side."""
    if len(command) > 5 and command[1] == 0x20:
        return command[:5].hex() + "**" * (len(command) - 5)
    return command.hex()


class ControlServer:
    def __init__(self, link: VpcdLink, host: str = "127.0.0.1", port: int = 0):
        self.link = link
        handler = type("Handler", (_Handler,), {"control": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="card-control")

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "ControlServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def state(self) -> dict:
        card = self.link.card
        return {
            "inserted": self.link.inserted,
            "owned": self.link.owned,
            "port": self.link.port,
            "tries": {name: card.tries_left(*ref) for name, ref in PINS.items()},
            "apdu_count": len(card.received),
        }

    def page(self) -> Page:
        ident = self.link.card.identity
        template = Template(resources.files(__package__).joinpath("control.html").read_text(encoding="utf-8"))
        values = {"name": ident.name, "address": ident.address, "birth_date": ident.birth_date.isoformat(),
                  "auth_pin": ident.auth_pin, "card_info_pin": ident.card_info_pin}
        return Page(template.substitute({k: html.escape(v) for k, v in values.items()}))

    def handle(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        link, card = self.link, self.link.card
        arg = lambda k, d=None: query.get(k, [d])[0]  # noqa: E731
        if method == "GET" and path in ("/", "/index.html"):
            return 200, self.page()
        if method == "GET" and path == "/state":
            return 200, self.state()
        if method == "POST" and path == "/reset-tries":
            for ref in PINS.values():
                card.set_tries(*ref, MAX_TRIES)
            return 200, self.state()
        if method == "POST" and path == "/insert":
            ok = link.insert(owned_timeout=float(arg("timeout", "3")))
            return (200 if ok else 409), self.state()
        if method == "POST" and path == "/remove":
            link.remove()
            return 200, self.state()
        if method == "POST" and path == "/remove-on":
            if arg("ins", "B0") == "off":
                link.remove_when = None
                return 200, self.state()
            ins, skip = int(arg("ins", "B0"), 16), int(arg("skip", "0"))
            seen = [0]

            def trigger(c: bytes) -> bool:
                if len(c) >= 2 and c[1] == ins:
                    seen[0] += 1
                    return seen[0] > skip
                return False

            link.remove_when = trigger
            return 200, self.state()
        if method == "POST" and path == "/tries":
            name = arg("pin", "")
            if name not in PINS:
                return 400, {"error": "pin must be card_info or auth"}
            card.set_tries(*PINS[name], int(arg("n", "3")))
            return 200, self.state()
        if method == "GET" and path == "/apdus":
            return 200, [masked(c) for c in list(card.received)]
        if method == "POST" and path == "/apdus/clear":
            card.received.clear()
            return 200, self.state()
        return 404, {"error": "unknown endpoint"}


class _Handler(BaseHTTPRequestHandler):
    control: ControlServer

    def _do(self, method: str) -> None:
        url = urlparse(self.path)
        try:
            status, body = self.control.handle(method, url.path, parse_qs(url.query))
        except Exception as exc:  # report, never kill the control thread
            status, body = 500, {"error": f"{type(exc).__name__}: {exc}"}
        if isinstance(body, Page):
            payload, kind = body.encode("utf-8"), "text/html; charset=utf-8"
        else:
            payload, kind = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802
        self._do("GET")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._do("POST")

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

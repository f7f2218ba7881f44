"""The virtual card's link to the vpcd reader driver (pcscd's virtual reader).

vpcd listens on TCP (35963 for "Virtual PCD 00 00", 35964 for "00 01"); the card is
its client. Frames are a 2-byte big-endian length and a payload: one byte is a control
(0 power off, 1 power on, 2 reset, 4 get ATR), more is a command APDU to answer.
Connecting is "inserting" the card, closing the socket is "removing" it.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable

from kiosk.card.apdu import describe
from kiosk.card.virtual.model import ATR, VirtualMyNumberCard

log = logging.getLogger(__name__)

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


class VpcdLink:
    def __init__(self, card: VirtualMyNumberCard, host: str = "127.0.0.1", port: int = 35963):
        self.card = card
        self.host, self.port = host, port
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._owned = threading.Event()  # vpcd has talked to us: we hold the reader
        self._lock = threading.Lock()
        self.remove_when: Callable[[bytes], bool] | None = None  # vanish instead of answering

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    @property
    def owned(self) -> bool:
        return self._owned.is_set()

    def insert(self, owned_timeout: float = 3.0) -> bool:
        """Connect to vpcd. True once vpcd talks to us within ``owned_timeout`` s;
        False (and disconnected) when another card already holds this reader."""
        with self._lock:
            if self._sock is not None:
                return True
            self.card.reset()
            sock = socket.create_connection((self.host, self.port), timeout=2.0)
            sock.settimeout(None)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self._owned.clear()
            self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True, name="vpcd-card")
            self._thread.start()
        if self._owned.wait(owned_timeout):
            return True
        self.remove()
        return False

    def remove(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
            thread, self._thread = self._thread, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2)
        self._owned.clear()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                header = _recv_exactly(sock, 2)
                if header is None:
                    break
                payload = _recv_exactly(sock, int.from_bytes(header, "big"))
                if payload is None:
                    break
                self._owned.set()
                if len(payload) == 1:
                    if payload[0] == CTRL_ATR:
                        _send(sock, ATR)
                    elif payload[0] in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                        self.card.reset()
                    continue
                trigger = self.remove_when
                if trigger is not None and trigger(payload):
                    self.remove_when = None
                    log.info("virtual card removed on command %s", describe(payload))
                    self.card.received.append(bytes(payload))
                    break
                _send(sock, self.card.process(payload))
        except OSError:
            pass
        finally:
            with self._lock:
                if self._sock is sock:
                    self._sock = None
                    self._owned.clear()
            try:
                sock.close()
            except OSError:
                pass


def _recv_exactly(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        try:
            chunk = sock.recv(n - len(buf))
            # vpcd writes a frame's length and its payload separately, with Nagle on:
            # its second write waits for our ACK, which Linux delays by up to 40 ms.
            # Acknowledge at once (QUICKACK does not stick: set it after every read).
            if hasattr(socket, "TCP_QUICKACK"):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(len(payload).to_bytes(2, "big") + payload)

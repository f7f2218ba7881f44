"""A virtual My Number card: the APDU command set of the JPKI and card-info input
support applications, closely enough to exercise every path of the kiosk.

Pure and in-process: ``process(command) -> response``. The vpcd client and the
``LocalTransport`` both drive this one model. Every command received is recorded in
``received`` so tests can prove what the kiosk did and did not send.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, utils

from kiosk.card.guard import AID_CARD_INFO, AID_JPKI
from kiosk.card.tlv import encode_basic_four
from kiosk.card.virtual.identity import CardKeys, VirtualIdentity, card_keys

ATR = bytes.fromhex("3BE000FF8131FE4514")
AID_CARD_FACE = bytes.fromhex("D3921000310001010402")

_DIGEST_INFOS = {
    bytes.fromhex("3031300d060960864801650304020105000420"): (hashes.SHA256(), 32),
    bytes.fromhex("3021300906052b0e03021a05000414"): (hashes.SHA1(), 20),
}


def _sw(sw: int, data: bytes = b"") -> bytes:
    return data + sw.to_bytes(2, "big")


@dataclass
class PinFile:
    value: str
    tries: int
    max_tries: int


@dataclass
class BinaryFile:
    data: bytes
    needs: int | None = None  # FID of the PIN that must be verified first


@dataclass
class KeyFile:
    pin: int  # FID of the PIN that must be verified


@dataclass
class App:
    files: dict[int, object] = field(default_factory=dict)


class VirtualMyNumberCard:
    """Thread-safe: the control API and the reader side may touch it at once."""

    def __init__(self, identity: VirtualIdentity | None = None, keys: CardKeys | None = None):
        self.identity = identity or VirtualIdentity()
        self.keys = keys or card_keys(self.identity.card_id)
        self.received: list[bytes] = []
        self._lock = threading.RLock()
        self._build()
        self.reset()

    def _build(self) -> None:
        ident, keys = self.identity, self.keys
        der = serialization.Encoding.DER
        self._apps = {
            AID_JPKI: App({
                0x0006: BinaryFile(b"JPKIAPICCTOKEN2"),
                0x000A: BinaryFile(keys.auth_certificate.public_bytes(der)),
                0x000B: BinaryFile(keys.ca_certificate.public_bytes(der)),
                0x0017: KeyFile(pin=0x0018),
                0x0018: PinFile(ident.auth_pin, ident.auth_tries, 3),
                0x0001: BinaryFile(b"\x30\x82\x00\x00", needs=0x001B),  # signature cert (not modelled)
                0x001A: KeyFile(pin=0x001B),
                0x001B: PinFile(ident.signature_password, 5, 5),
            }),
            AID_CARD_INFO: App({
                0x0001: BinaryFile(ident.individual_number.encode("ascii"), needs=0x0011),
                0x0002: BinaryFile(encode_basic_four(ident.items), needs=0x0011),
                0x0005: BinaryFile(b"\x00\x01"),
                0x0011: PinFile(ident.card_info_pin, ident.card_info_tries, 3),
                0x0014: PinFile("PINA-NOT-USED", 10, 10),
                0x0015: PinFile("PINB-NOT-USED", 10, 10),
            }),
            AID_CARD_FACE: App({}),
        }

    # --- state ---------------------------------------------------------------------
    def reset(self) -> None:
        """Power cycle: nothing selected, no PIN verified (retry counters persist)."""
        with self._lock:
            self._df: bytes | None = None
            self._ef: int | None = None
            self._verified: set[int] = set()

    def tries_left(self, aid: bytes, fid: int) -> int:
        return self._apps[aid].files[fid].tries  # type: ignore[union-attr]

    def set_tries(self, aid: bytes, fid: int, tries: int) -> None:
        with self._lock:
            self._apps[aid].files[fid].tries = tries  # type: ignore[union-attr]

    def touched_files(self) -> list[tuple[str, str]]:
        """(application, FID) of every SELECT EF received, by AID hex / FID hex."""
        out, df = [], None
        for c in self.received:
            if len(c) >= 5 and c[:4] == b"\x00\xa4\x04\x0c":
                df = c[5:5 + c[4]].hex().upper()
            elif len(c) >= 7 and c[:4] == b"\x00\xa4\x02\x0c":
                out.append((df or "", c[5:7].hex().upper()))
        return out

    # --- commands ------------------------------------------------------------------
    def process(self, command: bytes) -> bytes:
        with self._lock:
            self.received.append(bytes(command))
            try:
                return self._process(bytes(command))
            except Exception:  # a real card never crashes; it answers "no precise diagnosis"
                return _sw(0x6F00)

    def _process(self, c: bytes) -> bytes:
        if len(c) < 4:
            return _sw(0x6700)
        cla, ins, p1, p2 = c[:4]
        lc, data, le = _split(c[4:])
        if lc is None:
            return _sw(0x6700)
        if cla not in (0x00, 0x80):
            return _sw(0x6E00)
        if cla == 0x00 and ins == 0xA4:
            return self._select(p1, p2, data, le)
        if cla == 0x00 and ins == 0xB0:
            return self._read_binary(p1, p2, data, le)
        if cla == 0x00 and ins == 0x20:
            return self._verify(p1, p2, data)
        if cla == 0x80 and ins == 0x2A:
            return self._sign(p1, p2, data)
        if cla == 0x80:
            return _sw(0x6E00)
        return _sw(0x6D00)

    def _select(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if p2 != 0x0C:
            return _sw(0x6A86)  # this card model gives no FCI
        if p1 == 0x04:
            if data not in self._apps:
                return _sw(0x6A82)
            self._df, self._ef, self._verified = data, None, set()
            return _sw(0x9000)
        if p1 == 0x02:
            if len(data) != 2:
                return _sw(0x6700)
            fid = int.from_bytes(data, "big")
            if self._df is None or fid not in self._apps[self._df].files:
                return _sw(0x6A82)
            self._ef = fid
            return _sw(0x9000)
        return _sw(0x6A86)

    def _current(self) -> object | None:
        if self._df is None or self._ef is None:
            return None
        return self._apps[self._df].files.get(self._ef)

    def _read_binary(self, p1: int, p2: int, data: bytes, le: int | None) -> bytes:
        if data:
            return _sw(0x6700)
        if p1 & 0x80:
            return _sw(0x6A86)  # short EF addressing: not modelled
        f = self._current()
        if not isinstance(f, BinaryFile):
            return _sw(0x6986)  # no current binary EF
        if f.needs is not None and f.needs not in self._verified:
            return _sw(0x6982)
        offset = (p1 << 8) | p2
        if offset > len(f.data):
            return _sw(0x6B00)
        want = 256 if le is None or le == 0 else le
        chunk = f.data[offset:offset + want]
        return _sw(0x9000 if len(chunk) == want else 0x6282, chunk)

    def _verify(self, p1: int, p2: int, data: bytes) -> bytes:
        if (p1, p2) != (0x00, 0x80):
            return _sw(0x6A86)
        f = self._current()
        if not isinstance(f, PinFile):
            return _sw(0x6986)
        if not data:  # how many tries left, without spending one
            return _sw(0x6983) if f.tries == 0 else _sw(0x63C0 | f.tries)
        if f.tries == 0:
            return _sw(0x6983)
        if data == f.value.encode("ascii"):
            f.tries = f.max_tries
            self._verified.add(self._ef)  # type: ignore[arg-type]
            return _sw(0x9000)
        f.tries -= 1
        self._verified.discard(self._ef)  # type: ignore[arg-type]
        return _sw(0x63C0 | f.tries)

    def _sign(self, p1: int, p2: int, data: bytes) -> bytes:
        if (p1, p2) != (0x00, 0x80):
            return _sw(0x6A86)
        f = self._current()
        if not isinstance(f, KeyFile) or self._df != AID_JPKI or self._ef != 0x0017:
            return _sw(0x6986)
        if f.pin not in self._verified:
            return _sw(0x6982)
        for prefix, (algorithm, size) in _DIGEST_INFOS.items():
            if data.startswith(prefix) and len(data) == len(prefix) + size:
                digest = data[len(prefix):]
                signature = self.keys.auth_key.sign(digest, padding.PKCS1v15(), utils.Prehashed(algorithm))
                return _sw(0x9000, signature)
        return _sw(0x6A80)


def _split(body: bytes) -> tuple[int | None, bytes, int | None]:
    """(Lc, data, Le) of a short APDU body; Lc None if the lengths do not add up."""
    if not body:
        return 0, b"", None
    if len(body) == 1:
        return 0, b"", body[0]
    lc = body[0]
    if lc == 0 or len(body) not in (1 + lc, 2 + lc):
        return None, b"", None
    data = body[1:1 + lc]
    le = body[1 + lc] if len(body) == 2 + lc else None
    return lc, data, le

"""The one choke point every APDU to a My Number card passes through.

``GuardedTransport`` wraps any ``ApduTransport`` and lets through only the few commands
the kiosk needs, in the application they belong to. Everything else is refused BEFORE it
reaches the card, above all anything that could select or read the individual number
(card-info AP EF 0001) or use PIN A / PIN B (EF 0014 / 0015): the My Number Act forbids a
facility-booking system to read the number, so the kiosk must be unable to, not just
unwilling. Logging here redacts VERIFY data (PINs).
"""

from __future__ import annotations

import logging

from kiosk.card.apdu import (
    INS_READ_BINARY,
    INS_SELECT,
    INS_SIGN,
    INS_VERIFY,
    ApduTransport,
    Response,
    describe,
)
from kiosk.card.errors import ForbiddenCommand

log = logging.getLogger(__name__)

AID_JPKI = bytes.fromhex("D392F000260100000001")
AID_CARD_INFO = bytes.fromhex("D3921000310001010408")

# Per application: the EFs the kiosk may select, which of them it may read, which are PINs.
_SELECTABLE = {
    AID_JPKI: {0x0006, 0x000A, 0x000B, 0x0017, 0x0018},
    AID_CARD_INFO: {0x0011, 0x0002},  # never 0x0001 (the number), 0x0014 / 0x0015 (PIN A / B)
}
_READABLE = {AID_JPKI: {0x0006, 0x000A, 0x000B}, AID_CARD_INFO: {0x0002}}
_PINS = {AID_JPKI: {0x0018}, AID_CARD_INFO: {0x0011}}
_SIGNING_KEY = (AID_JPKI, 0x0017)


class GuardedTransport:
    """An ``ApduTransport`` that refuses every APDU outside the kiosk's allowlist."""

    def __init__(self, inner: ApduTransport):
        self._inner = inner
        self._df: bytes | None = None
        self._ef: int | None = None

    def transmit(self, command: bytes) -> bytes:
        command = bytes(command)
        selecting = self._check(command)
        log.debug("card <- %s", describe(command))
        raw = self._inner.transmit(command)
        if selecting is not None:
            # Only a successful SELECT changes what is current; a failed one leaves the
            # card's state unknown to us, so nothing is current any more.
            ok = len(raw) >= 2 and raw[-2:] == b"\x90\x00"
            kind, value = selecting
            if kind == "df":
                self._df, self._ef = (value if ok else None), None
            else:
                self._ef = value if ok else None
        log.debug("card -> SW %s (%d data bytes)", bytes(raw[-2:]).hex(), max(len(raw) - 2, 0))
        return raw

    def _refuse(self, why: str, command: bytes) -> ForbiddenCommand:
        log.error("refused APDU %s: %s", describe(command), why)
        return ForbiddenCommand(f"refused APDU {describe(command)}: {why}")

    def _check(self, c: bytes) -> tuple[str, object] | None:
        if len(c) < 4:
            raise self._refuse("too short", c)
        cla, ins, p1, p2 = c[0], c[1], c[2], c[3]
        body = c[4:]
        if cla == 0x00 and ins == INS_SELECT:
            if len(body) < 1 or body[0] != len(body) - 1:
                raise self._refuse("SELECT must carry exactly Lc data bytes and no Le", c)
            data = body[1:]
            if (p1, p2) == (0x04, 0x0C):
                if data not in _SELECTABLE:
                    raise self._refuse("application not allowed", c)
                return ("df", data)
            if (p1, p2) == (0x02, 0x0C) and len(data) == 2:
                fid = int.from_bytes(data, "big")
                if self._df is None or fid not in _SELECTABLE[self._df]:
                    raise self._refuse("file not allowed in the current application", c)
                return ("ef", fid)
            raise self._refuse("only SELECT by AID or by EF identifier is allowed", c)
        if cla == 0x00 and ins == INS_READ_BINARY:
            if p1 & 0x80:
                raise self._refuse("short-EF-identifier addressing is not allowed", c)
            if len(body) != 1:
                raise self._refuse("READ BINARY must be Le only", c)
            if self._df is None or self._ef not in _READABLE[self._df]:
                raise self._refuse("the current file may not be read", c)
            return None
        if cla == 0x00 and ins == INS_VERIFY:
            if (p1, p2) != (0x00, 0x80):
                raise self._refuse("VERIFY only against the current EF", c)
            if body and body[0] != len(body) - 1:
                raise self._refuse("VERIFY length mismatch", c)
            if self._df is None or self._ef not in _PINS[self._df]:
                raise self._refuse("the current file is not an allowed PIN", c)
            return None
        if cla == 0x80 and ins == INS_SIGN:
            if (p1, p2) != (0x00, 0x80) or (self._df, self._ef) != _SIGNING_KEY:
                raise self._refuse("signing only with the user-authentication key", c)
            return None
        raise self._refuse("instruction not allowed", c)

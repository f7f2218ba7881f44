"""The My Number card conversation: PIN safety, basic four items, JPKI authentication.

Synchronous, one APDU at a time, over any ``ApduTransport``; callers run it on the
reader's card thread. Every command goes through ``GuardedTransport`` (the individual
number can never be selected or read). PINs are checked to be 4 ASCII digits, live only
in the VERIFY APDU, and are never sent when the card has one try left.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum

from kiosk.card import apdu
from kiosk.card.apdu import ApduTransport, Response
from kiosk.card.errors import (
    BadCardData,
    CardError,
    CardLocked,
    InvalidPin,
    LastTryLeft,
    UnknownCard,
    WrongPin,
)
from kiosk.card.guard import AID_CARD_INFO, AID_JPKI, GuardedTransport
from kiosk.card.tlv import BasicFourItems, parse_basic_four, total_length

CHUNK = 256
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
MAX_CERTIFICATE = 4096
# Name + address + date + sex take a few hundred bytes; anything near this limit is not a
# real card, and refusing it early bounds the number of READ BINARY commands.
MAX_BASIC_FOUR = 2048


class Pin(Enum):
    """The two 4-digit PINs the kiosk may use: (application, PIN EF)."""

    CARD_INFO = (AID_CARD_INFO, 0x0011)  # 券面事項入力補助用暗証番号
    JPKI_AUTH = (AID_JPKI, 0x0018)  # 利用者証明用電子証明書の暗証番号


@dataclass(frozen=True, slots=True)
class PinStatus:
    tries_left: int  # 0 means locked
    verified: bool = False  # already verified in this card session: no PIN needs sending

    @property
    def locked(self) -> bool:
        return self.tries_left == 0

    @property
    def last_try(self) -> bool:
        return self.tries_left == 1


def check_pin_format(pin: str) -> bytes:
    """The PIN as the card wants it, or ``InvalidPin`` (nothing is sent)."""
    if not isinstance(pin, str) or len(pin) != 4 or not all("0" <= ch <= "9" for ch in pin):
        raise InvalidPin("the PIN must be 4 ASCII digits")
    return pin.encode("ascii")


class MyNumberCard:
    """One inserted card. Not thread-safe; use from the card thread only."""

    def __init__(self, transport: ApduTransport):
        self._t = transport if isinstance(transport, GuardedTransport) else GuardedTransport(transport)
        self._current_app: bytes | None = None

    # --- low level -----------------------------------------------------------------
    def _send(self, command: bytes) -> Response:
        return Response.parse(self._t.transmit(command))

    def _expect_ok(self, command: bytes, what: str) -> Response:
        r = self._send(command)
        if not r.ok:
            raise CardError(f"{what}: status {r.sw:04X}")
        return r

    def select_application(self, aid: bytes) -> None:
        r = self._send(apdu.select_df(aid))
        if r.sw in (apdu.SW_FILE_NOT_FOUND, apdu.SW_WRONG_P1P2, apdu.SW_INS_NOT_SUPPORTED,
                    apdu.SW_CLA_NOT_SUPPORTED, apdu.SW_WRONG_DATA):
            raise UnknownCard(f"application {aid.hex()} not found ({r.sw:04X})")
        if not r.ok:
            raise CardError(f"SELECT application: status {r.sw:04X}")
        self._current_app = aid

    def identify(self) -> None:
        """Prove this is a My Number card by selecting the JPKI application."""
        self.select_application(AID_JPKI)

    def _select_file(self, fid: int) -> None:
        r = self._send(apdu.select_ef(fid))
        if r.sw == apdu.SW_FILE_NOT_FOUND:
            raise UnknownCard(f"file {fid:04X} not found")
        if not r.ok:
            raise CardError(f"SELECT EF {fid:04X}: status {r.sw:04X}")

    def _read(self, offset: int, length: int) -> bytes:
        """``length`` bytes, or fewer only where the card says the file ended (62 82).
        A card that answers 90 00 with a short chunk is refused, not read byte by byte:
        every read is a bounded number of commands."""
        r = self._send(apdu.read_binary(offset, length))
        if r.sw == apdu.SW_SECURITY_NOT_SATISFIED:
            raise CardError("READ BINARY: PIN not verified")
        if r.sw not in (apdu.SW_OK, apdu.SW_END_OF_FILE):
            raise CardError(f"READ BINARY at {offset}: status {r.sw:04X}")
        if len(r.data) > length:
            raise BadCardData("READ BINARY returned more than asked")
        if r.sw == apdu.SW_OK and len(r.data) != length:
            raise BadCardData("READ BINARY returned fewer bytes than asked without end of file")
        return r.data

    def _read_exactly(self, offset: int, length: int) -> bytes:
        out = bytearray()
        while len(out) < length:
            want = min(CHUNK, length - len(out))
            chunk = self._read(offset + len(out), want)
            if len(chunk) != want:
                raise BadCardData("file ended before its declared length")
            out += chunk
        return bytes(out)

    # --- PINs ----------------------------------------------------------------------
    def _select_pin(self, pin: Pin) -> None:
        aid, fid = pin.value
        if self._current_app != aid:
            self.select_application(aid)
        self._select_file(fid)

    def pin_status(self, pin: Pin) -> PinStatus:
        """Tries left, asked without spending one (VERIFY with no data)."""
        self._select_pin(pin)
        return self._tries_left()

    def _tries_left(self) -> PinStatus:
        r = self._send(apdu.verify())
        if r.sw1 == 0x63 and r.sw2 & 0xF0 == 0xC0:
            return PinStatus(r.sw2 & 0x0F)
        if r.sw in (apdu.SW_AUTH_BLOCKED, apdu.SW_REF_DATA_UNUSABLE):
            return PinStatus(0)
        if r.ok:
            # Cards answer 90 00 when the PIN is already verified in this card session
            # (the reader resets the card between sessions, so it was this person).
            return PinStatus(tries_left=-1, verified=True)
        raise CardError(f"VERIFY (tries left): status {r.sw:04X}")

    def verify_pin(self, pin: Pin, digits: str) -> None:
        """Check the tries left, refuse on one or none, then spend one try.

        Raises ``InvalidPin`` (nothing sent), ``LastTryLeft`` (nothing sent),
        ``CardLocked``, ``WrongPin(tries_left)``.
        """
        encoded = check_pin_format(digits)
        self._select_pin(pin)
        status = self._tries_left()
        if status.verified:
            return
        if status.locked:
            raise CardLocked("PIN blocked")
        if status.last_try:
            raise LastTryLeft("one try left: not sending the PIN")
        r = self._send(apdu.verify(encoded))
        del encoded
        if r.ok:
            return
        if r.sw1 == 0x63 and r.sw2 & 0xF0 == 0xC0:
            left = r.sw2 & 0x0F
            if left == 0:
                raise CardLocked("PIN blocked by this attempt")
            raise WrongPin(left)
        if r.sw in (apdu.SW_AUTH_BLOCKED, apdu.SW_REF_DATA_UNUSABLE):
            raise CardLocked("PIN blocked")
        raise CardError(f"VERIFY: status {r.sw:04X}")

    # --- card-info input support AP -------------------------------------------------
    def read_basic_four(self, digits: str) -> BasicFourItems:
        """Name, address, birth date, sex, after verifying the card-info PIN."""
        self.verify_pin(Pin.CARD_INFO, digits)
        self._select_file(0x0002)
        head = self._read(0, 5)
        total = total_length(head)
        if total > MAX_BASIC_FOUR:
            raise BadCardData("basic four items too long")
        data = head[:total] + (self._read_exactly(len(head), total - len(head)) if total > len(head) else b"")
        return parse_basic_four(data)

    # --- JPKI user authentication --------------------------------------------------
    def read_auth_certificate(self) -> bytes:
        """The user-authentication certificate (DER); needs no PIN."""
        if self._current_app != AID_JPKI:
            self.select_application(AID_JPKI)
        self._select_file(0x000A)
        return self._read_certificate()

    def read_auth_ca_certificate(self) -> bytes:
        if self._current_app != AID_JPKI:
            self.select_application(AID_JPKI)
        self._select_file(0x000B)
        return self._read_certificate()

    def _read_certificate(self) -> bytes:
        head = self._read(0, 4)
        if len(head) != 4 or head[0] != 0x30 or head[1] != 0x82:
            raise BadCardData("certificate: expected a DER SEQUENCE with a 2-byte length")
        total = 4 + int.from_bytes(head[2:4], "big")
        if total > MAX_CERTIFICATE:
            raise BadCardData("certificate too long")
        return head + self._read_exactly(4, total - 4)

    def sign_challenge(self, digits: str, challenge: bytes) -> bytes:
        """Verify the JPKI auth PIN, then have the card sign SHA-256(challenge) with
        the user-authentication key (RSA PKCS#1 v1.5). Returns the signature."""
        self.verify_pin(Pin.JPKI_AUTH, digits)
        self._select_file(0x0017)
        digest_info = SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(challenge).digest()
        r = self._send(apdu.sign(digest_info))
        if not r.ok:
            raise CardError(f"SIGN: status {r.sw:04X}")
        if len(r.data) not in (128, 256, 384, 512):
            raise BadCardData(f"SIGN returned {len(r.data)} bytes")
        return r.data

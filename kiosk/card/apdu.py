"""APDUs, status words and the transport seam every card conversation goes through.

``ApduTransport`` is to the card code what an httpx transport is to a client: the
protocol code (``mynumber.py``) only ever calls ``transmit(command) -> response``, and
the same code runs over pyscard + pcscd (``pcsc.PcscTransport``) or in process against
the virtual card model (``virtual.LocalTransport``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kiosk.card.errors import BadCardData


@runtime_checkable
class ApduTransport(Protocol):
    def transmit(self, command: bytes) -> bytes:
        """Send one command APDU, return the response APDU (data + SW1 SW2).

        Raises ``CardRemoved`` when the card is gone, ``CardError`` on reader failure.
        """
        ...


# Status words used by the card code.
SW_OK = 0x9000
SW_END_OF_FILE = 0x6282  # fewer bytes than asked: the file ended
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_BLOCKED = 0x6983
SW_REF_DATA_UNUSABLE = 0x6984
SW_CMD_NOT_ALLOWED = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FILE_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6A86
SW_WRONG_OFFSET = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_VERIFY = 0x20
INS_SIGN = 0x2A  # CLA 80: JPKI "compute digital signature"


@dataclass(frozen=True, slots=True)
class Response:
    data: bytes
    sw: int

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @classmethod
    def parse(cls, raw: bytes) -> "Response":
        """Split a response APDU; fewer than two bytes is malformed."""
        if not isinstance(raw, (bytes, bytearray)) or len(raw) < 2:
            raise BadCardData(f"response APDU too short ({len(raw) if raw else 0} bytes)")
        return cls(bytes(raw[:-2]), (raw[-2] << 8) | raw[-1])


def command(cla: int, ins: int, p1: int, p2: int, data: bytes = b"", le: int | None = None) -> bytes:
    """A short command APDU. ``le=256`` is encoded as 00."""
    if len(data) > 255:
        raise ValueError("short APDUs carry at most 255 data bytes")
    out = bytes([cla, ins, p1, p2])
    if data:
        out += bytes([len(data)]) + data
    if le is not None:
        if not 1 <= le <= 256:
            raise ValueError("Le must be 1..256")
        out += bytes([le & 0xFF])
    return out


def select_df(aid: bytes) -> bytes:
    return command(0x00, INS_SELECT, 0x04, 0x0C, aid)


def select_ef(fid: int) -> bytes:
    return command(0x00, INS_SELECT, 0x02, 0x0C, fid.to_bytes(2, "big"))


def read_binary(offset: int, length: int) -> bytes:
    if not 0 <= offset <= 0x7FFF:
        raise ValueError("offset out of range")
    return command(0x00, INS_READ_BINARY, offset >> 8, offset & 0xFF, le=length)


def verify(pin: bytes | None = None) -> bytes:
    """VERIFY against the current EF; with no PIN it only asks how many tries are left."""
    return command(0x00, INS_VERIFY, 0x00, 0x80, pin or b"")


def sign(digest_info: bytes) -> bytes:
    return command(0x80, INS_SIGN, 0x00, 0x80, digest_info, le=256)


def describe(cmd: bytes) -> str:
    """A loggable form of a command APDU: VERIFY data (a PIN) is always redacted."""
    if len(cmd) >= 5 and cmd[1] == INS_VERIFY:
        return cmd[:4].hex(" ") + " [PIN redacted]"
    return cmd.hex(" ")

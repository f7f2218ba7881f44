"""A small ESC/POS encoder for Japanese thermal receipt printers, and its backends.

Japanese text goes out in Kanji mode as Shift_JIS (cp932), as Japanese ESC/POS printers
expect; the QR code is the printer's own (``GS ( k``), so it prints sharp at any size.
Backends: ``DummyPrinter`` keeps the bytes (tests, previews), ``FilePrinter`` writes them
to a device or file (``/dev/usb/lp0``, a spool file), ``NetworkPrinter`` sends them to
port 9100.

    >>> doc = Receipt().line("予約番号 K7Q-4MX", bold=True).qr("MDG1.abc").cut()
    >>> printer = DummyPrinter()
    >>> printer.print(doc)
    >>> printer.output[:2] == ESC + b"@"
    True
    >>> "予約番号".encode("cp932") in printer.output
    True
"""

from __future__ import annotations

import socket
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ESC, GS, FS, LF = b"\x1b", b"\x1d", b"\x1c", b"\n"
INIT = ESC + b"@"
KANJI_ON = FS + b"&" + FS + b"C\x01"  # Kanji mode, Shift_JIS
ALIGN = {"left": ESC + b"a\x00", "center": ESC + b"a\x01", "right": ESC + b"a\x02"}
CUT = GS + b"VB\x00"  # feed to the cutter and cut (partial)


def encode_text(text: str) -> bytes:
    """Text as the printer's Shift_JIS: compatibility forms folded (narrow no-break spaces
    from Babel become spaces), ¥ as the full-width ￥ (cp932 has no U+00A5), and what
    Shift_JIS cannot say replaced by ``?`` rather than failing the receipt."""
    text = unicodedata.normalize("NFKC", text).replace("¥", "￥")
    return text.encode("cp932", errors="replace")


def qr_commands(data: str, module_size: int = 6) -> bytes:
    payload = data.encode("ascii")
    if len(payload) > 7000:
        raise ValueError("too long for a printed QR code")
    store = len(payload) + 3
    return b"".join([
        GS + b"(k\x04\x00\x31\x41\x32\x00",  # model 2
        GS + b"(k\x03\x00\x31\x43" + bytes([module_size]),  # module size (dots)
        GS + b"(k\x03\x00\x31\x45\x31",  # error correction M
        GS + b"(k" + bytes([store & 0xFF, store >> 8]) + b"\x31\x50\x30" + payload,  # store
        GS + b"(k\x03\x00\x31\x51\x30",  # print
    ])


@dataclass
class Receipt:
    """A document built line by line, encoded once."""

    parts: list[bytes] = field(default_factory=lambda: [INIT, KANJI_ON])

    def line(self, text: str = "", *, bold: bool = False, big: bool = False,
             align: str = "left") -> Receipt:
        self.parts.append(ALIGN[align])
        if bold:
            self.parts.append(ESC + b"E\x01")
        if big:
            self.parts.append(GS + b"!\x11")
        self.parts.append(encode_text(text) + LF)
        if big:
            self.parts.append(GS + b"!\x00")
        if bold:
            self.parts.append(ESC + b"E\x00")
        return self

    def rule(self, width: int = 32) -> Receipt:
        return self.line("-" * width)

    def qr(self, data: str, module_size: int = 6) -> Receipt:
        self.parts += [ALIGN["center"], qr_commands(data, module_size), LF, ALIGN["left"]]
        return self

    def cut(self) -> Receipt:
        self.parts += [LF * 3, CUT]
        return self

    def encode(self) -> bytes:
        return b"".join(self.parts)


class PrinterError(Exception):
    """The printer could not take the receipt (offline, no paper, no device)."""


class DummyPrinter:
    def __init__(self) -> None:
        self.output = b""

    def print(self, receipt: Receipt) -> None:
        self.output += receipt.encode()


class FilePrinter:
    """A character device (``/dev/usb/lp0``) or a spool file: bytes appended."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def print(self, receipt: Receipt) -> None:
        try:
            with open(self.path, "ab") as fh:
                fh.write(receipt.encode())
        except OSError as exc:
            raise PrinterError(str(exc)) from exc


class NetworkPrinter:
    """A printer on the LAN (raw port 9100)."""

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    def print(self, receipt: Receipt) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as s:
                s.sendall(receipt.encode())
        except OSError as exc:
            raise PrinterError(str(exc)) from exc


def printer_from_setting(setting: str | None, data_dir: Path):
    """``none``, ``file:PATH``, ``tcp:HOST[:PORT]``; unset: a spool file in the data dir
    (``receipt-printer.escpos``), so a demo can print without hardware."""
    if not setting:
        return FilePrinter(data_dir / "receipt-printer.escpos")
    if setting == "none":
        return None
    kind, _, rest = setting.partition(":")
    if kind == "file" and rest:
        return FilePrinter(rest)
    if kind == "tcp" and rest:
        host, _, port = rest.partition(":")
        return NetworkPrinter(host, int(port or 9100))
    raise ValueError(f"unknown printer setting {setting!r} (none, file:PATH, tcp:HOST[:PORT])")

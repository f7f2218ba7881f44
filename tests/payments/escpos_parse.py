"""Read back what the ESC/POS encoder wrote: the text lines (Shift_JIS) and QR payloads."""

from __future__ import annotations


def parse(data: bytes) -> tuple[list[str], list[str], int]:
    """(text lines, QR payloads stored, cuts) of an ESC/POS byte stream."""
    lines: list[str] = []
    qrs: list[str] = []
    cuts = 0
    text = b""
    i = 0
    while i < len(data):
        b = data[i]
        if data.startswith(b"\x1d(k", i):
            size = data[i + 3] | data[i + 4] << 8
            body = data[i + 5:i + 5 + size]
            if body[:2] == b"\x31\x50":  # store the symbol's data
                qrs.append(body[3:].decode("ascii"))
            i += 5 + size
        elif data.startswith(b"\x1dVB", i):
            cuts += 1
            i += 4
        elif data.startswith(b"\x1c&", i):
            i += 2
        elif data.startswith(b"\x1cC", i) or data.startswith(b"\x1ba", i) or data.startswith(b"\x1bE", i) \
                or data.startswith(b"\x1d!", i):
            i += 3
        elif data.startswith(b"\x1b@", i):
            i += 2
        elif b == 0x0A:
            lines.append(text.decode("cp932"))
            text = b""
            i += 1
        else:
            text += bytes([b])
            i += 1
    return lines, qrs, cuts

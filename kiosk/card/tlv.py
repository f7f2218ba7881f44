"""Strict parsing of the card-info input support AP's basic four items (EF 0002).

Layout: ``FF 20 L { DF 21 L header, DF 22 L name, DF 23 L address, DF 24 L birth date,
DF 25 L sex }``. Lengths are BER: short form, or long form ``81 xx`` / ``82 xx xx``. Text
is UTF-8. Anything else (other tags, duplicates, missing items, bad lengths, trailing
bytes, invalid UTF-8 or dates) raises ``BadCardData``: a clear error, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.card.errors import BadCardData

TAG_BASIC_FOUR = 0xFF20
TAG_HEADER, TAG_NAME, TAG_ADDRESS, TAG_BIRTH, TAG_SEX = 0xDF21, 0xDF22, 0xDF23, 0xDF24, 0xDF25
_ITEM_TAGS = (TAG_HEADER, TAG_NAME, TAG_ADDRESS, TAG_BIRTH, TAG_SEX)


class Sex(StrEnum):
    """ISO 5218 codes as the card stores them."""

    NOT_KNOWN = "0"
    MALE = "1"
    FEMALE = "2"
    NOT_APPLICABLE = "9"


@dataclass(frozen=True, slots=True)
class BasicFourItems:
    """Name, address, birth date and sex as printed on the card. Personal data: its
    repr is redacted so it cannot leak into logs by accident."""

    name: str
    address: str
    birth_date: date
    sex: Sex

    def __repr__(self) -> str:
        return "BasicFourItems(<redacted>)"


def read_tag(data: bytes, pos: int) -> tuple[int, int]:
    """(tag, next position). Only one- and two-byte tags exist on this card."""
    if pos >= len(data):
        raise BadCardData("TLV: missing tag")
    first = data[pos]
    if first & 0x1F != 0x1F:
        return first, pos + 1
    if pos + 1 >= len(data):
        raise BadCardData("TLV: truncated two-byte tag")
    second = data[pos + 1]
    if second & 0x80:
        raise BadCardData("TLV: tags longer than two bytes are not used on this card")
    return (first << 8) | second, pos + 2


def read_length(data: bytes, pos: int) -> tuple[int, int]:
    """(length, next position): short form, or long form 81 xx / 82 xx xx."""
    if pos >= len(data):
        raise BadCardData("TLV: missing length")
    first = data[pos]
    if first < 0x80:
        return first, pos + 1
    count = first & 0x7F
    if count == 0:
        raise BadCardData("TLV: indefinite length is not allowed")
    if count > 2:
        raise BadCardData("TLV: length field too long")
    if pos + 1 + count > len(data):
        raise BadCardData("TLV: truncated length")
    return int.from_bytes(data[pos + 1 : pos + 1 + count], "big"), pos + 1 + count


def read_tlv(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """(tag, value, next position), checking the value fits in ``data``."""
    tag, pos = read_tag(data, pos)
    length, pos = read_length(data, pos)
    if pos + length > len(data):
        raise BadCardData(f"TLV: value of tag {tag:X} runs past the end")
    return tag, bytes(data[pos : pos + length]), pos + length


def total_length(header: bytes) -> int:
    """Given the first bytes of EF 0002 (at least 5, or all of a short file), the number
    of bytes the whole FF 20 TLV takes. Used to read exactly that much."""
    tag, pos = read_tag(header, 0)
    if tag != TAG_BASIC_FOUR:
        raise BadCardData(f"TLV: expected tag FF20, found {tag:X}")
    length, pos = read_length(header, pos)
    return pos + length


def _text(value: bytes, what: str) -> str:
    try:
        text = value.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadCardData(f"{what}: not valid UTF-8") from exc
    if not text.strip():
        raise BadCardData(f"{what}: empty")
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise BadCardData(f"{what}: control characters")
    return text


def _birth_date(value: bytes) -> date:
    if len(value) != 8 or not all(0x30 <= b <= 0x39 for b in value):
        raise BadCardData("birth date: expected 8 ASCII digits YYYYMMDD")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise BadCardData("birth date: not a calendar date") from exc


def _sex(value: bytes) -> Sex:
    try:
        return Sex(value.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadCardData("sex: expected one ISO 5218 digit") from exc


def parse_basic_four(data: bytes) -> BasicFourItems:
    """Parse the whole content of EF 0002 (exactly one FF 20 TLV)."""
    data = bytes(data)
    tag, body, end = read_tlv(data, 0)
    if tag != TAG_BASIC_FOUR:
        raise BadCardData(f"TLV: expected tag FF20, found {tag:X}")
    if end != len(data):
        raise BadCardData("TLV: bytes after the FF20 container")
    values: dict[int, bytes] = {}
    pos = 0
    while pos < len(body):
        tag, value, pos = read_tlv(body, pos)
        if tag not in _ITEM_TAGS:
            raise BadCardData(f"TLV: unexpected tag {tag:X}")
        if tag in values:
            raise BadCardData(f"TLV: tag {tag:X} appears twice")
        values[tag] = value
    if list(values) != list(_ITEM_TAGS):
        raise BadCardData("TLV: the items DF21..DF25 must each appear once, in order")
    return BasicFourItems(
        name=_text(values[TAG_NAME], "name"),
        address=_text(values[TAG_ADDRESS], "address"),
        birth_date=_birth_date(values[TAG_BIRTH]),
        sex=_sex(values[TAG_SEX]),
    )


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    if length <= 0xFF:
        return bytes([0x81, length])
    if length <= 0xFFFF:
        return b"\x82" + length.to_bytes(2, "big")
    raise ValueError("too long")


def encode_tlv(tag: int, value: bytes) -> bytes:
    tag_bytes = tag.to_bytes(2 if tag > 0xFF else 1, "big")
    return tag_bytes + encode_length(len(value)) + value


def encode_basic_four(items: BasicFourItems, header: bytes = b"\x00\x00\x00") -> bytes:
    """The EF 0002 content a card holds for ``items`` (used by the virtual card)."""
    body = b"".join(
        (
            encode_tlv(TAG_HEADER, header),
            encode_tlv(TAG_NAME, items.name.encode("utf-8")),
            encode_tlv(TAG_ADDRESS, items.address.encode("utf-8")),
            encode_tlv(TAG_BIRTH, f"{items.birth_date.year:04d}{items.birth_date.month:02d}{items.birth_date.day:02d}".encode("ascii")),
            encode_tlv(TAG_SEX, items.sex.value.encode("ascii")),
        )
    )
    return encode_tlv(TAG_BASIC_FOUR, body)

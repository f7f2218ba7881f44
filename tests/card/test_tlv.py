"""Strict parsing of the basic four items, including malformed input (hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.card.errors import BadCardData
from kiosk.card.tlv import (
    BasicFourItems,
    Sex,
    encode_basic_four,
    encode_tlv,
    parse_basic_four,
    total_length,
)

ITEMS = BasicFourItems("窓口 花子", "千葉県みどり市中央一丁目2番3号", date(1950, 4, 1), Sex.FEMALE)


def body(*tlvs: bytes) -> bytes:
    return encode_tlv(0xFF20, b"".join(tlvs))


def items(name=b"A", address=b"B", birth=b"19500401", sex=b"2", header=b"\x00") -> list[bytes]:
    return [encode_tlv(0xDF21, header), encode_tlv(0xDF22, name), encode_tlv(0xDF23, address),
            encode_tlv(0xDF24, birth), encode_tlv(0xDF25, sex)]


def test_round_trip_and_long_form_lengths():
    data = encode_basic_four(ITEMS)
    assert parse_basic_four(data) == ITEMS
    assert total_length(data[:5]) == len(data)
    long_address = "千葉県みどり市" + "中央" * 60  # > 255 bytes: 82 xx xx inside, 82 outside
    data = encode_basic_four(BasicFourItems("X", long_address, date(2000, 2, 29), Sex.MALE))
    assert data[2] == 0x82
    assert parse_basic_four(data).address == long_address


def test_repr_hides_personal_data():
    assert "窓口" not in repr(ITEMS) and "みどり" not in repr(ITEMS)


@pytest.mark.parametrize(
    "data, why",
    [
        (b"", "missing tag"),
        (encode_tlv(0xFF21, b""), "expected tag FF20"),
        (body(*items()) + b"\x00", "after the FF20"),
        (body(*items()[:4]), "each appear once"),
        (body(*items(), encode_tlv(0xDF25, b"1")), "twice"),
        (body(*items(), encode_tlv(0xDF26, b"1")), "unexpected tag"),
        (body(*reversed(items())), "in order"),
        (body(*items(name=b"\xff\xfe")), "UTF-8"),
        (body(*items(name=b"   ")), "empty"),
        (body(*items(address=b"a\x07b")), "control"),
        (body(*items(birth=b"1950041")), "8 ASCII digits"),
        (body(*items(birth=b"19500231")), "calendar date"),
        (body(*items(sex=b"3")), "ISO 5218"),
        (b"\xff\x20\x80" + b"".join(items()) + b"\x00\x00", "indefinite"),
        (b"\xff\x20\x83\x00\x00\x10", "too long"),
        (b"\xff\x20\x82\x01", "truncated length"),
        (b"\xff\x20\x05\xdf\x22", "runs past the end"),
        (b"\xff", "truncated two-byte tag"),
        (b"\xff\xa0\x01\x00", "longer than two bytes"),
    ],
)
def test_malformed_input_is_a_clear_error(data, why):
    with pytest.raises(BadCardData, match=why):
        parse_basic_four(data)


names = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=120).filter(str.strip)


@given(names, names, st.dates(min_value=date(1, 1, 1)), st.sampled_from(list(Sex)))
def test_any_valid_items_round_trip(name, address, born, sex):
    # C1 controls are refused too; keep them out of the valid generator
    if any(0x7F <= ord(c) < 0xA0 for c in name + address):
        return
    items_ = BasicFourItems(name, address, born, sex)
    assert parse_basic_four(encode_basic_four(items_)) == items_


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_never_crash(data):
    try:
        parse_basic_four(data)
    except BadCardData:
        pass


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_mutated_valid_data_is_parsed_or_rejected_cleanly(data):
    raw = bytearray(encode_basic_four(ITEMS))
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        i = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if op == "flip" and raw:
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i:]
        else:
            raw[i:i] = data.draw(st.binary(min_size=1, max_size=4))
    try:
        result = parse_basic_four(bytes(raw))
    except BadCardData:
        return
    assert isinstance(result, BasicFourItems)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=8))
def test_total_length_is_clean_on_any_header(head):
    try:
        assert total_length(head) >= 0
    except BadCardData:
        pass

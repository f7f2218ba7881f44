"""Property-based tests (hypothesis) of everything that parses what a card or the server
says: whatever comes back, a clear ``CardError`` (or the identity client's own two
errors), never another exception, never an unbounded exchange.

The TLV of the basic four items has its own properties in test_tlv.py.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.card.apdu import Response
from kiosk.card.errors import BadCardData, CardError, ForbiddenCommand
from kiosk.card.guard import AID_CARD_INFO, AID_JPKI, GuardedTransport
from kiosk.card.identity_client import IdentityClient, IdentityRefused, IdentityUnavailable, ServerIdentity
from kiosk.card.mynumber import MyNumberCard, Pin
from kiosk.card.tlv import BasicFourItems
from kiosk.card.virtual import VirtualMyNumberCard

# A command exchange longer than this would be a loop, not a card conversation: the
# longest real one (read a 4 KB certificate) takes about 20 commands.
MAX_COMMANDS = 60

SWS = [0x9000, 0x6282, 0x63C0, 0x63C1, 0x63C2, 0x63C3, 0x63CF, 0x6983, 0x6984, 0x6982, 0x6A82,
       0x6A86, 0x6700, 0x6D00, 0x6E00, 0x6B00, 0x6F00, 0x6C10, 0x6100]


def response_strategy() -> st.SearchStrategy[bytes]:
    """Plausible and implausible responses: random bytes, a known status word with
    random data, or a DER-looking certificate head."""
    sw = st.sampled_from(SWS).map(lambda v: v.to_bytes(2, "big"))
    return st.one_of(
        st.binary(max_size=8),
        st.tuples(st.binary(max_size=300), sw).map(lambda t: t[0] + t[1]),
        st.tuples(st.integers(0, 0xFFFF), sw).map(lambda t: b"\x30\x82" + t[0].to_bytes(2, "big") + t[1]),
        st.just(b"\x90\x00"),
    )


class HostileCard:
    """An ApduTransport whose every answer hypothesis draws."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data
        self.sent = 0

    def transmit(self, command: bytes) -> bytes:
        self.sent += 1
        assert self.sent <= MAX_COMMANDS, "the card code keeps asking: unbounded"
        return self.data.draw(response_strategy(), label=f"answer {self.sent}")


OPERATIONS = {
    "tries": lambda c: c.pin_status(Pin.JPKI_AUTH),
    "items": lambda c: c.read_basic_four("1234"),
    "certificate": lambda c: c.read_auth_certificate(),
    "sign": lambda c: c.sign_challenge("1234", b"challenge"),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(OPERATIONS)), st.data())
def test_a_hostile_card_gets_a_clear_error_never_a_crash_or_a_hang(operation, data):
    card = HostileCard(data)
    try:
        result = OPERATIONS[operation](MyNumberCard(card))
    except CardError as exc:
        assert exc.code.value and isinstance(exc.params, dict)
        return
    # or a well-formed answer
    if operation == "items":
        assert isinstance(result, BasicFourItems)
    elif operation == "certificate":
        assert result[:2] == b"\x30\x82" and len(result) == 4 + int.from_bytes(result[2:4], "big")
    elif operation == "sign":
        assert len(result) in (128, 256, 384, 512)


@pytest.fixture(scope="module")
def card_keys():
    return VirtualMyNumberCard().keys  # made (or loaded) once: RSA is slow


class FlakyCard:
    """The virtual card, except that hypothesis may garble any one of its answers:
    reaches the deep paths (a good SELECT, then a bad READ) a random card never does."""

    def __init__(self, data: st.DataObject, keys) -> None:
        self.data, self.model, self.sent = data, VirtualMyNumberCard(keys=keys), 0

    def transmit(self, command: bytes) -> bytes:
        self.sent += 1
        assert self.sent <= MAX_COMMANDS, "the card code keeps asking: unbounded"
        real = self.model.process(command)
        how = self.data.draw(st.sampled_from(["real"] * 6 + ["replace", "truncate", "flip"]), label="garble")
        if how == "replace":
            return self.data.draw(response_strategy())
        if how == "truncate":
            return real[: self.data.draw(st.integers(0, max(len(real) - 1, 0)))]
        if how == "flip" and real:
            i = self.data.draw(st.integers(0, len(real) - 1))
            return real[:i] + bytes([real[i] ^ self.data.draw(st.integers(1, 255))]) + real[i + 1:]
        return real


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operation=st.sampled_from(sorted(OPERATIONS)), data=st.data())
def test_a_card_garbling_any_answer_gets_a_clear_error(card_keys, operation, data):
    card = FlakyCard(data, card_keys)
    try:
        OPERATIONS[operation](MyNumberCard(card))
    except CardError as exc:
        assert exc.code.value
    # the real answers alone always succeed: see test_the_flaky_card_without_garbling_works


def test_the_flaky_card_without_garbling_works(card_keys):
    model = VirtualMyNumberCard(keys=card_keys)
    for name, op in OPERATIONS.items():
        model.reset()
        assert op(MyNumberCard(type("T", (), {"transmit": lambda self, c: model.process(c)})())) is not None, name


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_response_apdus_parse_or_fail_cleanly(raw):
    try:
        r = Response.parse(raw)
    except BadCardData:
        assert len(raw) < 2
        return
    assert r.data + r.sw.to_bytes(2, "big") == raw


def test_never_a_pin_at_one_try_left_whatever_the_card_says_next():
    sent = []

    class OneTryLeft:
        def transmit(self, command: bytes) -> bytes:
            sent.append(command)
            if command[1] == 0x20:
                return b"\x63\xc1"  # one try left
            return b"\x90\x00"

    with pytest.raises(CardError) as err:
        MyNumberCard(OneTryLeft()).verify_pin(Pin.JPKI_AUTH, "1234")
    assert err.value.code.value == "last_try"
    assert not [c for c in sent if c[1] == 0x20 and len(c) > 4], "a PIN was sent"


# -- the guard: no sequence of commands gets the number file selected --------------------
COMMANDS = st.one_of(
    st.sampled_from([AID_JPKI, AID_CARD_INFO, bytes.fromhex("D3921000310001010402"), b"\xa0\x00"]).map(
        lambda aid: b"\x00\xa4\x04\x0c" + bytes([len(aid)]) + aid),
    st.sampled_from([0x0001, 0x0002, 0x0011, 0x0014, 0x0015, 0x000A, 0x0017, 0x0018, 0x3F00]).map(
        lambda fid: b"\x00\xa4\x02\x0c\x02" + fid.to_bytes(2, "big")),
    st.tuples(st.integers(0, 0xFF), st.integers(0, 0xFF)).map(lambda t: bytes([0, 0xB0, t[0], t[1], 0])),
    st.just(b"\x00\x20\x00\x80"),
    st.binary(min_size=0, max_size=12),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands=st.lists(COMMANDS, max_size=25))
def test_no_command_sequence_reaches_the_individual_number(card_keys, commands):
    model = VirtualMyNumberCard(keys=card_keys)

    class Model:
        def transmit(self, command: bytes) -> bytes:
            return model.process(command)

    guarded = GuardedTransport(Model())
    for command in commands:
        try:
            guarded.transmit(command)
        except ForbiddenCommand:
            pass
    touched = model.touched_files()
    info = AID_CARD_INFO.hex().upper()
    assert not [(aid, fid) for aid, fid in touched if aid == info and fid in ("0001", "0014", "0015")]
    assert not [c for c in model.received if c[:2] == b"\x00\xb0" and c[2] & 0x80]


# -- the identity client: whatever the server answers ------------------------------------
bodies = st.one_of(
    st.binary(max_size=40),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                 max_leaves=12).map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"person_key": st.text(max_size=10), "registered": st.booleans()},
                          optional={"name": st.none() | st.text(max_size=8),
                                    "resident": st.none() | st.booleans() | st.integers(),
                                    "registration_token": st.none() | st.text(max_size=8)}).map(
        lambda d: json.dumps(d).encode()),
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([200, 201, 400, 403, 404, 409, 410, 422, 500, 503]), bodies)
def test_identity_client_answers_are_parsed_or_refused_cleanly(status, body):
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    client = IdentityClient("http://server", "token", transport=transport)

    async def both():
        out = []
        for call in (lambda: client.verify("c", b"cert", b"sig"), client.challenge, client.trust_bundle):
            try:
                out.append(await call())
            except (IdentityUnavailable, IdentityRefused):
                out.append(None)
        return out

    who, challenge, bundle = asyncio.run(both())
    if who is not None:
        assert isinstance(who, ServerIdentity) and isinstance(who.person_key, str)
        assert who.resident in (None, True, False)
    if challenge is not None:
        assert isinstance(challenge.value, bytes)
    if bundle is not None:
        assert isinstance(bundle, str)

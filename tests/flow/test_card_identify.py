"""The My Number card in the kiosk flow, without a browser: every screen, every failure,
the returning card holder, and that nothing of the card outlives the session.

The card is the virtual card model in process (``LocalCardService``) and the central
server is the real FastAPI app in process (``httpx.ASGITransport``); the real reader
stack and a real server process are in tests/card/test_card_flow_e2e.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kiosk.card.errors import CardErrorCode
from kiosk.card.guard import AID_JPKI
from kiosk.card.identity_client import IdentityClient, TrustCache
from kiosk.card.trust import TRUST_ENV
from kiosk.card.virtual import LocalCardService, VirtualIdentity, VirtualMyNumberCard, virtual_ca
from kiosk.card.virtual.identity import CardKeys, issue_auth_certificate
from kiosk.domain.model import Residency
from kiosk.flow import KioskFlow
from kiosk.flow.card_identify import CardFeature
from kiosk.flow.states import State
from sync.server.app import create_app
from sync.server.db import Database
from sync.server.migrations import migrate
from sync.server.tenants import add_tenant, enrol

NOW = dt.datetime(2026, 11, 25, 10, 0)  # tests/flow/conftest.py's fixed clock

PIN = "4826"  # distinctive, so a leak anywhere is found by searching for it
CARD = VirtualIdentity(card_id="flow-test", name="窓口 花子", address="千葉県みどり市中央一丁目2番3号",
                       card_info_pin=PIN, auth_pin=PIN)


@pytest.fixture
def server_for(tmp_path, monkeypatch):
    """The central server app in process (trusting the virtual CA, or no CA at all) and
    a kiosk token for it: an ``IdentityClient``."""
    from kiosk.opendata import sample_city_dir

    _, ca = virtual_ca()
    (tmp_path / "trust.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    made = []

    def make(trust: bool = True, **env: str) -> IdentityClient:
        monkeypatch.setenv(TRUST_ENV, str(tmp_path / "trust.pem") if trust else "")
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        url = f"sqlite:///{tmp_path / f'server-{len(made)}.sqlite'}"
        db = Database(url)
        migrate(db)
        add_tenant(db, "midori", sample_city_dir())
        token = enrol(db, "midori", "kiosk-1")
        db.close()
        made.append(url)
        return IdentityClient("http://server", token, transport=httpx.ASGITransport(app=create_app(url)))

    return make


@pytest.fixture
def server(server_for):
    return server_for()


def make_flow(cache, clock, service, identity=None, trust=None, **kw) -> KioskFlow:
    feature = CardFeature(service, identity, trust, **kw)
    return KioskFlow(cache, clock, card=feature)


async def until(flow: KioskFlow, *states: State, timeout: float = 10.0) -> State:
    deadline = asyncio.get_running_loop().time() + timeout
    while flow.state not in states:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still {flow.state} (notices {flow.notices_text()}), wanted {states}")
        await asyncio.sleep(0.01)
    return flow.state


def to_identify(flow: KioskFlow, lang: str = "en") -> None:
    flow.select_language(lang)
    flow.select_task()
    flow.select_category("hall")
    flow.select_unit("chuo-hall")
    flow.select_day(dt.date(2026, 11, 28))
    next(a for a in flow.screen().slots if a.enabled).run()
    flow.select_slots()
    assert flow.state is State.IDENTIFY


def choose_card(flow: KioskFlow) -> None:
    options = {o.id: o for o in flow.screen().options}
    assert set(options) == {"identify-card", "identify-guest"}
    options["identify-card"].run()
    assert flow.state is State.CARD_INSERT


async def enter_pin(flow: KioskFlow, pin: str = PIN) -> None:
    await until(flow, State.CARD_PIN)
    flow.screen().submit(pin)


@pytest.fixture
def card():
    return VirtualMyNumberCard(CARD)


async def test_first_use_reads_the_items_with_consent_and_a_returning_holder_skips_them(cache, clock, card, server):
    service = LocalCardService(card, inserted=True)
    flow = make_flow(cache, clock, service, server)
    repaints = []
    flow.subscribe(lambda activity: repaints.append((flow.state, activity)))
    to_identify(flow)
    choose_card(flow)
    await until(flow, State.CARD_PIN)
    pin_screen = flow.screen()
    assert pin_screen.tries_left == 3 and "3" in pin_screen.message
    assert "user authentication" in pin_screen.pin_name
    assert pin_screen.entered[2] == "PIN: 2 of 4 digits entered"
    pin_screen.submit(PIN)
    assert flow.state is State.CARD_READING
    await until(flow, State.CARD_CONSENT)
    consent = flow.screen()
    assert "Midori City" in consent.use and "never reads your My Number" in consent.number_note
    assert consent.items == ("Name", "Address", "Date of birth", "Sex")
    consent.agree.run()
    await until(flow, State.CARD_PIN)
    assert "filling in forms" in flow.screen().pin_name
    assert any("same 4 digits" in n for n in flow.screen().notes)
    flow.screen().submit(PIN)
    await until(flow, State.CONFIRM)
    confirm = flow.screen()
    summary = dict(confirm.summary)
    assert summary["Name"] == "窓口 花子"
    assert summary["Rate"] == "Resident rate (address on your My Number card)"
    assert flow._draft().residency is Residency.RESIDENT
    assert flow.session.card.registered and not flow.session.card.verified_offline
    assert (State.CARD_READING, True) in repaints  # the page was told to draw each step
    confirm.book.run()
    assert flow.state is State.DONE
    booking_key = flow.session.card.person_key
    assert booking_key.startswith("jpki:")
    assert cache.bookings_for(booking_key), "the booking is the card holder's"
    # nothing the card must not give was ever asked of it
    assert ("D3921000310001010408", "0001") not in card.touched_files()

    # the same card another day: PIN, then straight to the confirm screen
    flow.start_over()
    flow2 = make_flow(cache, clock, service, server)
    to_identify(flow2)
    choose_card(flow2)
    await enter_pin(flow2)
    await until(flow2, State.CONFIRM)
    assert dict(flow2.screen().summary)["Name"] == "窓口 花子"
    assert flow2.session.card.person_key == booking_key


async def test_non_resident_address_gets_the_non_resident_rate(cache, clock, server):
    card = VirtualMyNumberCard(CARD.with_(card_id="flow-test-2", address="東京都千代田区丸の内1-1"))
    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), server)
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    await until(flow, State.CARD_CONSENT)
    flow.screen().agree.run()
    await enter_pin(flow)
    await until(flow, State.CONFIRM)
    assert dict(flow.screen().summary)["Rate"] == "Non-resident rate (address on your My Number card)"
    assert flow._draft().residency is Residency.NON_RESIDENT


async def test_wrong_pin_shows_tries_left_then_refuses_at_the_last_try(cache, clock, card, server):
    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), server)
    to_identify(flow, "ja")
    choose_card(flow)
    await enter_pin(flow, "0000")
    await until(flow, State.CARD_PIN)
    screen = flow.screen()
    assert screen.error and screen.tries_left == 2
    assert screen.message == "暗証番号がちがいます。あと2回入力できます。"
    sent = len(card.received)
    screen.submit("12")  # not 4 digits: a notice, nothing sent to the card
    assert flow.state is State.CARD_PIN and flow.notices_text() and len(card.received) == sent
    flow.screen().submit("0000")
    await until(flow, State.CARD_FAILED)
    failed = flow.screen()
    assert failed.code == "last_try" and failed.retry is None and "市役所" in failed.message
    assert card.tries_left(AID_JPKI, 0x0018) == 1
    # a new attempt with this card refuses before any PIN
    flow.screen().without_card.run()
    assert flow.state is State.GUEST_NAME
    flow.back()
    choose_card(flow)
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == "last_try"
    assert card.tries_left(AID_JPKI, 0x0018) == 1


@pytest.mark.parametrize("case, code, retry", [
    ("locked", "card_locked", False),
    ("unknown", "unknown_card", True),
    ("no_reader", "no_reader", True),
    ("no_card", "timeout", True),
])
async def test_every_failure_has_its_screen(cache, clock, server, case, code, retry):
    card = VirtualMyNumberCard(CARD.with_(auth_tries=0) if case == "locked" else CARD)
    if case == "unknown":
        card._apps.pop(AID_JPKI)  # some other smart card
    service = LocalCardService(card, inserted=case not in ("no_card", "no_reader"), reader=case != "no_reader")
    flow = make_flow(cache, clock, service, server, wait_timeout_s=0.3)
    to_identify(flow, "ja-easy")
    choose_card(flow)
    if case == "no_reader":
        await asyncio.sleep(0.05)
        assert flow.screen().status == "no_reader"
    repaints = []
    flow.subscribe(lambda activity: repaints.append(activity))
    await until(flow, State.CARD_FAILED)
    screen = flow.screen()
    assert screen.code == code and (screen.retry is not None) is retry
    # giving up waiting for a card is no sign of a person: inactivity still runs
    assert repaints[-1] is (code not in ("timeout", "no_reader"))
    assert screen.message and "{" not in screen.message
    assert screen.without_card.label == "カードを つかわないで すすむ"


async def test_card_taken_away_while_typing_then_try_again(cache, clock, card, server):
    service = LocalCardService(card, inserted=True)
    flow = make_flow(cache, clock, service, server)
    to_identify(flow)
    choose_card(flow)
    await until(flow, State.CARD_PIN)
    sent = len(card.received)
    service.remove()
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == "card_removed"
    assert len(card.received) == sent
    service.insert()
    flow.screen().retry.run()
    await enter_pin(flow)
    await until(flow, State.CARD_CONSENT)


async def test_card_taken_away_mid_read(cache, clock, card, server):
    service = LocalCardService(card, inserted=True)
    flow = make_flow(cache, clock, service, server)
    to_identify(flow)
    choose_card(flow)
    await until(flow, State.CARD_PIN)
    service.remove_when(lambda c: len(c) > 1 and c[1] == 0xB0)  # during the certificate read
    flow.screen().submit(PIN)
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == "card_removed"


async def test_offline_the_kiosk_verifies_against_its_cached_cas(cache, clock, tmp_path):
    # a card whose certificate is valid at the flow's fixed clock
    ca_key, ca_cert = virtual_ca()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue_auth_certificate(key, ca_key, ca_cert, "offline", NOW - dt.timedelta(days=30),
                                  NOW + dt.timedelta(days=300))
    card = VirtualMyNumberCard(CARD.with_(card_id="offline"), CardKeys(ca_cert, key, cert))
    dead = IdentityClient("http://127.0.0.1:9", "token", timeout=0.5)  # nothing listens
    trust = TrustCache(tmp_path / "trust-cache.pem")
    (tmp_path / "trust-cache.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), dead, trust)
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    await until(flow, State.CARD_CONSENT)
    flow.screen().agree.run()
    await enter_pin(flow)
    await until(flow, State.CONFIRM)
    holder = flow.session.card
    assert holder.verified_offline and not holder.registered and holder.person_key.startswith("jpki:")
    assert dict(flow.screen().summary)["Rate"].startswith("Resident rate")

    # without any cached CA nothing verifies: a clear failure, the guest path still open
    (tmp_path / "trust-cache.pem").unlink()
    flow2 = make_flow(cache, clock, LocalCardService(card, inserted=True), dead, trust)
    to_identify(flow2)
    choose_card(flow2)
    await enter_pin(flow2)
    await until(flow2, State.CARD_FAILED)
    assert flow2.screen().code == "not_verified" and flow2.screen().retry is None


async def test_a_certificate_the_server_refuses_is_not_verified(cache, clock, card, server_for):
    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), server_for(trust=False))
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == CardErrorCode.NOT_VERIFIED.value


async def test_a_challenge_that_expired_is_a_timeout_the_person_can_retry(cache, clock, card, server_for):
    from sync.server.identity_api import TTL_ENV

    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), server_for(**{TTL_ENV: "-1"}))
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == "timeout" and flow.screen().retry is not None


def _all_text(value, seen=None) -> str:
    """Every string reachable from a view-model or session (not through callables)."""
    seen = seen if seen is not None else set()
    if id(value) in seen:
        return ""
    seen.add(id(value))
    if isinstance(value, str):
        return value + "\n"
    if dataclasses.is_dataclass(value):
        return "".join(_all_text(getattr(value, f.name), seen) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return "".join(_all_text(k, seen) + _all_text(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return "".join(_all_text(v, seen) for v in value)
    return repr(value) + "\n" if not callable(value) else ""


async def test_the_pin_is_never_kept_and_card_data_goes_with_the_session(cache, clock, card, server, caplog):
    caplog.set_level(logging.DEBUG)
    service = LocalCardService(card, inserted=True)
    flow = make_flow(cache, clock, service, server)
    seen: list[str] = []
    flow.subscribe(lambda activity: seen.append(_all_text(flow.screen()) + _all_text(flow.session)))
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    await until(flow, State.CARD_CONSENT)
    flow.screen().agree.run()
    await enter_pin(flow)
    await until(flow, State.CONFIRM)
    seen.append(_all_text(flow.screen()) + _all_text(flow.session))
    everything = "".join(seen) + caplog.text + repr(flow.session) + _all_text(flow.card.__dict__)
    assert PIN not in everything
    assert CARD.address not in _all_text(flow.session) and "1950" not in _all_text(flow.session)
    assert CARD.individual_number not in everything
    assert "窓口 花子" in _all_text(flow.session)  # (the search above can find things)

    # finish: nothing of the card is left
    flow.select_book()
    flow.screen().finish.run()
    assert flow.session.card is None and flow.session.guest.name == "" and flow.card.view is None


@pytest.mark.parametrize("how", ["start_over", "timeout", "wipe", "back_from_confirm"])
async def test_card_data_is_wiped_on_start_over_timeout_and_browser_close(cache, clock, card, server, how):
    flow = make_flow(cache, clock, LocalCardService(card, inserted=True), server)
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    await until(flow, State.CARD_CONSENT)
    flow.screen().agree.run()
    await enter_pin(flow)
    await until(flow, State.CONFIRM)
    assert flow.session.card is not None
    {"start_over": flow.start_over, "timeout": flow.timeout, "wipe": flow.wipe,
     "back_from_confirm": flow.back}[how]()
    assert flow.session.card is None and flow.session.guest.name == "" and flow.session.guest.residency is None
    assert flow.card.view is None and flow.card.failure is None
    if how == "back_from_confirm":
        assert flow.state is State.IDENTIFY and flow.session.slots  # the booking choices stay


async def test_a_read_still_running_never_writes_into_the_next_session(cache, clock, card, server):
    service = LocalCardService(card, inserted=True)
    flow = make_flow(cache, clock, service, server)
    to_identify(flow)
    choose_card(flow)
    await enter_pin(flow)
    assert flow.state is State.CARD_READING
    flow.timeout()  # the person walked away just as the card was being read
    await asyncio.sleep(0.5)
    assert flow.state is State.LANGUAGE and flow.session.card is None and flow.session.guest.name == ""


async def test_use_without_a_card_from_every_card_screen(cache, clock, card, server):
    service = LocalCardService(card, inserted=False)
    flow = make_flow(cache, clock, service, server)
    to_identify(flow)
    choose_card(flow)
    assert flow.screen().status == "waiting" and flow.screen().picture.endswith(".svg")
    flow.screen().without_card.run()
    assert flow.state is State.GUEST_NAME and flow.session.card is None
    flow.back()
    choose_card(flow)
    service.insert()
    await until(flow, State.CARD_PIN)
    flow.screen().without_card.run()
    assert flow.state is State.GUEST_NAME
    flow.select_guest_details("山田 太郎", "090-1234-5678", Residency.NON_RESIDENT)
    assert flow.state is State.CONFIRM
    assert dict(flow.screen().summary)["Rate"] == "Non-resident rate"
    assert flow._draft().person_key.startswith("guest:")


async def test_no_card_choice_on_a_kiosk_without_a_reader(flow):
    to_identify(flow)
    assert [o.id for o in flow.screen().options] == ["identify-guest"]

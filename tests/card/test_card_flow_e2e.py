"""The kiosk flow on the real stack: pyscard -> pcscd -> vpcd -> the virtual card process,
and JPKI authentication against a real central server process over loopback HTTP.

Every test also proves, from the card's own log of what it received, that the kiosk
never selected the individual-number file (nor PIN A/B), never addressed a file by short
identifier, and never sent a PIN without asking for the tries left first.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

import pytest
from cryptography.hazmat.primitives import serialization

from kiosk.cache import Cache
from kiosk.card.identity_client import IdentityClient, TrustCache
from kiosk.card.reader import ReaderService, ReaderState
from kiosk.card.trust import TRUST_ENV
from kiosk.card.virtual import virtual_ca
from kiosk.demo import ensure_demo_tenant
from kiosk.domain.model import Residency
from kiosk.flow import FixedClock, KioskFlow
from kiosk.flow.card_identify import CardFeature
from kiosk.flow.states import State
from kiosk.opendata import load_city, sample_city_dir
from sync.server.process import ServerProcess

pytestmark = [pytest.mark.pcsc, pytest.mark.timeout(180)]

NOW = datetime(2026, 11, 25, 10, 0)
DAY = date(2026, 11, 28)
AUTH_PIN = "1234"  # the virtual card's defaults
CARD_INFO_AID = "d3921000310001010408"
JPKI_AID = "d392f000260100000001"


@pytest.fixture
def central(tmp_path_factory):
    """A fresh central server per test: no card holder is registered yet."""
    work = tmp_path_factory.mktemp("central")
    _, ca = virtual_ca()
    (work / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    db_url = f"sqlite:///{work / 'server.sqlite'}"
    _, token_file, _ = ensure_demo_tenant(db_url, sample_city_dir(), work)
    server = ServerProcess(db_url, log_path=work / "server.log", env={TRUST_ENV: str(work / "ca.pem")}).start()
    yield server, token_file.read_text().strip()
    server.close()


@pytest.fixture
def cache(tmp_path):
    c = Cache.open(tmp_path / "kiosk.sqlite")
    c.load_city(load_city(sample_city_dir()))
    yield c
    c.close()


@pytest.fixture
async def readers(vcard):
    async with ReaderService(reader_filter=vcard.reader, poll_ms=200) as service:
        await service.wait_for(lambda s: s.has_reader, timeout=10)
        yield service


@pytest.fixture
def kiosk(cache, readers, central, tmp_path):
    """A new kiosk session (flow) on the real reader and the real server."""
    server, token = central
    feature = CardFeature(readers, IdentityClient(server.url, token), TrustCache(tmp_path / "trust.pem"),
                          wait_timeout_s=15)

    def make() -> KioskFlow:
        return KioskFlow(cache, FixedClock(NOW), card=feature)

    return make


async def until(flow: KioskFlow, *states: State, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while flow.state not in states:
        assert loop.time() < deadline, f"still {flow.state}, wanted {states}"
        await asyncio.sleep(0.02)


async def to_pin(flow: KioskFlow, slot: int = 0, wait: bool = True) -> None:
    flow.select_language("en")
    flow.select_task()
    flow.select_category("hall")
    flow.select_unit("chuo-hall")
    flow.select_day(DAY)
    [a for a in flow.screen().slots if a.enabled][slot].run()
    flow.select_slots()
    next(o for o in flow.screen().options if o.id == "identify-card").run()
    if wait:
        await until(flow, State.CARD_PIN, State.CARD_FAILED)


def assert_card_rules_kept(apdus: list[str]) -> None:
    """What the card received: the number file never selected, every PIN asked after
    the tries were read (without spending one)."""
    assert apdus, "the card received nothing"
    current = None
    for i, a in enumerate(apdus):
        if a.startswith("00a4040c0a"):
            current = a[10:30]
        if a.startswith("00a4020c02"):
            fid = a[10:14]
            assert not (current == CARD_INFO_AID and fid in ("0001", "0014", "0015")), (i, a)
        if a.startswith("00b0"):
            assert not int(a[4:6], 16) & 0x80, "short EF identifier addressing"
        if a.startswith("00200080") and len(a) > 8:
            assert apdus[i - 1] == "00200080", "a PIN sent without reading the tries left first"


async def test_first_use_then_returning_holder_through_pcscd_and_the_server(kiosk, vcard, cache):
    flow = kiosk()
    await to_pin(flow)
    assert flow.state is State.CARD_PIN and flow.screen().tries_left == 3
    flow.screen().submit(AUTH_PIN)
    await until(flow, State.CARD_CONSENT)
    flow.screen().agree.run()
    await until(flow, State.CARD_PIN)
    flow.screen().submit(AUTH_PIN)  # the card-info PIN (the same digits on this card)
    await until(flow, State.CONFIRM)
    summary = dict(flow.screen().summary)
    assert summary["Name"] == "窓口 花子"
    assert summary["Rate"] == "Resident rate (address on your My Number card)"
    assert flow.session.card.registered and not flow.session.card.verified_offline
    flow.select_book()
    assert flow.state is State.DONE
    key = flow.session.card.person_key
    assert [b.residency for b in cache.bookings_for(key)] == [Residency.RESIDENT]
    apdus = vcard.apdus()
    assert any(a.startswith("802a") for a in apdus), "the card signed the challenge"
    assert any(a.startswith(f"00a4040c0a{CARD_INFO_AID}") for a in apdus)
    assert_card_rules_kept(apdus)

    # the same card in a new session: one PIN, then the confirm screen
    flow.start_over()
    vcard.post("/apdus/clear")
    again = kiosk()
    await to_pin(again, slot=1)
    again.screen().submit(AUTH_PIN)
    await until(again, State.CONFIRM)
    assert again.session.card.person_key == key
    apdus = vcard.apdus()
    assert not any(a.startswith(f"00a4040c0a{CARD_INFO_AID}") for a in apdus), "no items read the 2nd time"
    assert_card_rules_kept(apdus)


async def test_wrong_pin_down_to_one_try_then_the_kiosk_refuses(kiosk, vcard):
    flow = kiosk()
    await to_pin(flow)
    flow.screen().submit("0000")
    await until(flow, State.CARD_PIN)
    assert flow.screen().tries_left == 2 and flow.screen().error
    flow.screen().submit("0000")
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == "last_try" and flow.screen().retry is None
    assert vcard.state()["tries"]["auth"] == 1
    sent = len(vcard.apdus())
    # another person, the same card: refused before any PIN is typed or sent
    other = kiosk()
    await to_pin(other, slot=1)
    assert other.state is State.CARD_FAILED and other.screen().code == "last_try"
    later = vcard.apdus()[sent:]
    assert "00200080" in later and not [a for a in later if a.startswith("00200080") and len(a) > 8]
    assert vcard.state()["tries"]["auth"] == 1
    assert_card_rules_kept(vcard.apdus())


async def test_card_removed_while_the_items_are_read(kiosk, vcard):
    flow = kiosk()
    await to_pin(flow)
    flow.screen().submit(AUTH_PIN)
    await until(flow, State.CARD_CONSENT)
    flow.screen().agree.run()
    await until(flow, State.CARD_PIN)
    vcard.post("/remove-on", ins="B0", skip=0)  # vanish at the first READ BINARY of the items
    flow.screen().submit(AUTH_PIN)
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == "card_removed" and flow.screen().retry is not None
    assert flow.session.guest.name == ""
    assert_card_rules_kept(vcard.apdus())


async def test_reader_gone_then_back(kiosk, vcard, readers, pcsc_daemon):
    if not pcsc_daemon.private:
        pytest.skip("stopping pcscd needs the private daemon (root + mount namespaces): "
                    "the system daemon is shared with others")
    flow = kiosk()
    await asyncio.to_thread(vcard.remove)
    await readers.wait_for(lambda s: s.state is ReaderState.EMPTY, timeout=5)
    await to_pin(flow, wait=False)  # no card yet: the insert screen waits
    await asyncio.sleep(0.5)
    assert flow.state is State.CARD_INSERT and flow.screen().status == "waiting"
    await asyncio.to_thread(pcsc_daemon.stop)  # the reader (service) is gone
    await readers.wait_for(lambda s: s.state is ReaderState.NO_SERVICE, timeout=10)
    for _ in range(100):
        if flow.screen().status == "no_reader":
            break
        await asyncio.sleep(0.05)
    screen = flow.screen()
    assert screen.status == "no_reader" and screen.message == "The card reader is not available. Please call a staff member."
    # back: the reader returns, the card is put down, the person goes on
    await asyncio.to_thread(pcsc_daemon.start)
    await readers.wait_for(lambda s: s.has_reader, timeout=15)
    await asyncio.to_thread(vcard.insert)
    await until(flow, State.CARD_PIN)
    assert flow.screen().tries_left == 3


async def test_reader_gone_while_typing_the_pin(kiosk, vcard, readers, pcsc_daemon):
    if not pcsc_daemon.private:
        pytest.skip("stopping pcscd needs the private daemon (root + mount namespaces)")
    flow = kiosk()
    await to_pin(flow)
    assert flow.state is State.CARD_PIN
    sent = len(vcard.apdus())
    await asyncio.to_thread(pcsc_daemon.stop)
    await until(flow, State.CARD_FAILED)
    assert flow.screen().code == "no_reader"
    assert flow.screen().message == "The card reader is not available. Please call a staff member."
    assert len(vcard.apdus()) == sent  # nothing was sent after the reader went away
    await asyncio.to_thread(pcsc_daemon.start)
    await readers.wait_for(lambda s: s.has_reader, timeout=15)

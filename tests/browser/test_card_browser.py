"""The My Number card in real Chromium, on the real stack: the kiosk process reads the
virtual card through pcscd + vpcd and verifies it with a real central server process.

A person chooses "My Number card", the virtual card is put on the reader, they type the
PIN on the screen's PIN pad, agree to the four items being read, type the card-info PIN,
and see their name filled in and the resident rate applied; the next time the card and
one PIN are enough.
"""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from kiosk.card.trust import TRUST_ENV
from kiosk.card.virtual import virtual_ca
from kiosk.card.virtual.process import start_pcscd, start_virtual_card
from kiosk.demo import ensure_demo_tenant
from kiosk.domain.fees import quote
from kiosk.domain.model import Residency, Slot
from kiosk.i18n import Translator
from kiosk.opendata import load_city, sample_city_dir
from sync.server.process import ServerProcess

from .server import CLOCK_START
from .ui import KioskUI

DAY = date(2026, 11, 27)  # a Friday the hall is open (its own kiosk and server: no clash)
NAME = "窓口 花子"  # the virtual card's default name
PIN, WRONG_PIN = "4826", "5173"  # digits Flutter's own page never contains (unlike 9999)


@pytest.fixture(scope="module")
def card_stack(tmp_path_factory):
    """A pcscd (private when possible) and the virtual card in one of its readers."""
    work = tmp_path_factory.mktemp("card-stack")
    try:
        daemon = start_pcscd(work / "pcscd", work / "pcscd.log")
        identity = work / "card.json"
        identity.write_text(json.dumps({"card_id": "browser-test", "auth_pin": PIN, "card_info_pin": PIN}))
        card = start_virtual_card(daemon, ["--removed", "--identity", str(identity)],
                                  log_path=work / "virtual-card.log")
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield daemon, card
    card.close()
    daemon.stop()


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    """A central server process trusting the virtual card's test CA; a kiosk token."""
    work = tmp_path_factory.mktemp("central")
    _, ca = virtual_ca()
    (work / "trust").mkdir()
    (work / "trust" / "virtual-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    db_url = f"sqlite:///{work / 'server.sqlite'}"
    _, token_file, _ = ensure_demo_tenant(db_url, sample_city_dir(), work)
    server = ServerProcess(db_url, log_path=work / "server.log",
                           env={TRUST_ENV: str(work / "trust"), "MADOGUCHI_CLOCK_START": CLOCK_START}).start()
    yield server, token_file, work / "trust"
    server.close()


@pytest.fixture(scope="module")
def kiosk_env(card_stack, central):
    daemon, card = card_stack
    server, token_file, trust = central
    return {
        "MADOGUCHI_SERVER_URL": server.url,
        "MADOGUCHI_KIOSK_TOKEN_FILE": str(token_file),
        "MADOGUCHI_CARD_READER": card.reader,
        "MADOGUCHI_JPKI_TRUST": str(trust),
        **daemon.client_env(),
    }


@pytest.fixture
def vcard(card_stack):
    _, card = card_stack
    card.remove()
    card.post("/reset-tries")
    card.post("/apdus/clear")
    return card


def totals() -> dict[Residency, str]:
    """The fee of the hall's morning block, at each rate, as the kiosk shows it."""
    city = load_city(sample_city_dir())
    unit = next(u for u in city.units if u.id == "chuo-hall")
    slot = Slot(datetime(DAY.year, DAY.month, DAY.day, 9), datetime(DAY.year, DAY.month, DAY.day, 12), "morning")
    t = Translator("en")
    return {r: t.yen(quote(unit, (slot,), r, frozenset(), None).total_yen) for r in Residency}


async def to_identify(ui: KioskUI, slot: str) -> None:
    for step in ("lang-en", "task-book", "category-hall", "unit-chuo-hall", f"day-{DAY.isoformat()}", slot, "next"):
        await ui.tap_id(step)
        if step == slot:
            await ui.page.wait_for_timeout(200)
    await ui.expect_title("How will you identify yourself?")


async def type_pin(ui: KioskUI, pin: str) -> None:
    for digit in pin:
        await ui.tap_id(f"pin-key-{digit}")
    await ui.wait_for_text("●  ●  ●  ●")


async def test_insert_the_card_type_the_pin_and_book_as_a_resident(ui: KioskUI, vcard, kiosk):
    await to_identify(ui, "slot-0900")
    await ui.screenshot("identify")
    await ui.tap_id("identify-card")
    await ui.expect_title("Put your My Number card on the reader")
    await ui.wait_for_text("Please put your My Number card on the reader.")
    await ui.screenshot("insert")

    await asyncio.to_thread(vcard.insert)  # the person puts the card down
    await ui.expect_title("Enter your PIN")
    await ui.wait_for_text("Tries left on the card: 3")
    await type_pin(ui, WRONG_PIN)
    await ui.screenshot("pin-typed")
    assert WRONG_PIN not in await ui.page_leftovers()  # only dots on screen
    await ui.tap_id("pin-ok")
    await ui.wait_for_text("The PIN is not correct. You can try 2 more time(s).")
    await ui.screenshot("wrong-pin")
    await type_pin(ui, PIN)
    await ui.tap_id("pin-ok")

    await ui.expect_title("May the kiosk read your details from the card?")
    await ui.wait_for_text("never reads your My Number")
    await ui.screenshot("consent")
    await ui.tap_id("card-consent-agree")
    await ui.expect_title("Enter your PIN")
    await ui.wait_for_text("filling in forms")
    await type_pin(ui, PIN)
    await ui.tap_id("pin-ok")

    await ui.expect_title("Check your booking")
    await ui.wait_for_text(NAME)
    await ui.wait_for_text("Resident rate (address on your My Number card)")
    fees = totals()
    assert fees[Residency.RESIDENT] != fees[Residency.NON_RESIDENT]
    total = (await ui.by_id("total").inner_text())
    assert fees[Residency.RESIDENT] in total, total
    await ui.screenshot("confirm-resident")
    await ui.tap_id("book")
    await ui.wait_for_id("pay-counter")  # a fee to pay: at the counter, for this test
    await ui.tap_id("pay-counter")
    await ui.wait_for_id("finish")
    await ui.tap_id("finish")
    await ui.wait_for_id("lang-en")
    leftovers = await ui.page_leftovers()
    assert NAME not in leftovers and PIN not in leftovers

    # the card never gave (nor was asked for) the individual number
    apdus = vcard.apdus()
    assert "00a4020c020001" not in apdus and any(a.startswith("802a") for a in apdus)


async def test_a_returning_card_holder_needs_the_card_and_one_pin(ui: KioskUI, vcard, kiosk):
    # (registered by the test above, on this module's kiosk and server)
    await asyncio.to_thread(vcard.insert)  # already on the reader when they choose it
    await to_identify(ui, "slot-1300")
    await ui.tap_id("identify-card")
    await ui.expect_title("Enter your PIN")
    await type_pin(ui, PIN)
    await ui.tap_id("pin-ok")
    await ui.expect_title("Check your booking")
    await ui.wait_for_text(NAME)
    await ui.wait_for_text("Resident rate (address on your My Number card)")
    await ui.screenshot("returning-confirm")
    # Booked and the fee's payment chosen: one tap, by app or at the counter (the app's
    # payment happens on the phone). Counted as a person taps, from the language screen.
    await ui.tap_id("book")
    await ui.wait_for_id("pay-counter")
    await ui.tap_id("pay-counter")
    await ui.wait_for_id("finish")
    await ui.tap_id("finish")
    await ui.wait_for_id("lang-en")
    ui.artifacts.path("taps", ".txt").write_text(
        f"returning card holder: {ui.taps} taps from the language screen to paying and finish\n")
    assert ui.taps <= 16, f"{ui.taps} taps"


async def test_card_taken_away_then_use_without_a_card(ui: KioskUI, vcard, kiosk):
    await asyncio.to_thread(vcard.insert)
    await to_identify(ui, "slot-1800")
    await ui.tap_id("identify-card")
    await ui.expect_title("Enter your PIN")
    await asyncio.to_thread(vcard.remove)
    await ui.expect_title("The card could not be used")
    await ui.wait_for_text("The card was taken out before reading finished.")
    await ui.screenshot("card-removed")
    await ui.tap_id("card-without")
    await ui.expect_title("What is your name?")


async def test_card_screens_at_extra_large_text(ui: KioskUI, vcard, kiosk):
    """Put the card down, the PIN pad, the card taken away: each at extra-large text,
    checked like every other screen (tests/browser/a11y_checks.py)."""
    from .a11y_checks import screen_problems
    from .walk import close_display, set_display

    await set_display(ui, "xl")
    await close_display(ui)
    await to_identify(ui, "slot-1800")
    problems = await screen_problems(ui, "identify", "en", 24)
    await ui.tap_id("identify-card")
    await ui.expect_title("Put your My Number card on the reader")
    problems += await screen_problems(ui, "card_insert", "en", 24)
    await asyncio.to_thread(vcard.insert)
    await ui.expect_title("Enter your PIN")
    await ui.tap_id("pin-key-4")
    await ui.tap_id("pin-key-8")
    await ui.wait_for_text("●  ●  ○  ○")
    # A change of text size or colours mid-PIN keeps the digits typed (the person's place)
    await set_display(ui, "large")
    await close_display(ui)
    await ui.wait_for_text("●  ●  ○  ○")
    await set_display(ui, "xl", "high")
    await close_display(ui)
    await ui.wait_for_text("●  ●  ○  ○")
    problems += await screen_problems(ui, "card_pin", "en", 24)
    await ui.screenshot("pin-extra-large")
    await asyncio.to_thread(vcard.remove)
    await ui.expect_title("The card could not be used")
    problems += await screen_problems(ui, "card_failed", "en", 24)
    await ui.screenshot("card-failed-extra-large")
    assert not problems, "\n".join(problems)

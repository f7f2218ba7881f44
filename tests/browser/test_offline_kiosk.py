"""The kiosk with its central server killed, in real Chromium: the screens say how old
the availability is and that a booking is provisional; the done screen changes by
itself when the server is back and confirms it.

Set up as the demo is (``kiosk.demo``: the sample city as tenant, this kiosk enrolled,
server and kiosk on one rehearsal clock), with the server as a process the test owns.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal

import pytest

from kiosk.demo import ensure_demo_tenant
from kiosk.opendata import sample_city_dir
from sync.server.process import ServerProcess

from .server import CLOCK_START
from .walk import enter_guest_details


@pytest.fixture
def central(tmp_path):
    db_url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    _, kiosk_token, _ = ensure_demo_tenant(db_url, sample_city_dir(), tmp_path)
    server = ServerProcess(db_url, log_path=tmp_path / "server.log",
                           env={"MADOGUCHI_CLOCK_START": CLOCK_START}).start()
    yield server, kiosk_token
    server.kill()
    server.close()


async def _text_of(ui, identifier: str, contains: str, timeout_s: float = 15.0) -> str:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        node = ui.by_id(identifier)
        text = (await node.first.inner_text()).strip() if await node.count() else ""
        if contains in text:
            return text
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{identifier!r} shows {text!r}, not {contains!r}")
        await asyncio.sleep(0.1)


async def _guest_to_confirm(ui, slot_id: str) -> None:
    """From the time screen: one slot, a resident guest, on to "Check your booking"."""
    await ui.tap_id(slot_id)
    await ui.wait_for_text("You chose 1 time(s).")
    await ui.tap_id("next")
    await ui.expect_title("How will you identify yourself?")
    await ui.tap_id("identify-guest")
    await ui.expect_title("What is your name?")
    await enter_guest_details(ui, "Hanako Yamada", "0312345678")
    await ui.expect_title("Check your booking")


async def test_server_killed_shows_as_of_books_provisionally_then_confirms(central, start_kiosk, new_ui):
    server, token_file = central
    kiosk = start_kiosk({"MADOGUCHI_SERVER_URL": server.url,
                         "MADOGUCHI_KIOSK_TOKEN_FILE": str(token_file)})
    ui = await new_ui(kiosk.url)
    await ui.tap_id("lang-en")
    await ui.expect_title("What would you like to do?")
    await _text_of(ui, "connection", "Online")

    server.kill()  # the central server dies
    await _text_of(ui, "connection", "Offline")  # the indicator follows by itself
    for step in ("task-book", "category-hall", "unit-chuo-hall"):
        await ui.tap_id(step)
    await ui.expect_title("Choose a day")
    note = await _text_of(ui, "availability-note", "as of 10:0")
    assert "A booking made now is provisional" in note
    await ui.screenshot("calendar-offline")

    await ui.tap_id("day-2026-11-28")
    await ui.expect_title("Choose the time")
    await _text_of(ui, "availability-note", "provisional")
    await _guest_to_confirm(ui, "slot-0900")
    await ui.tap_id("book")
    await ui.expect_title("Your booking is provisional")
    status = await _text_of(ui, "booking-status", "This booking is provisional")
    code = re.search(r"[0-9A-Z]{3}-[0-9A-Z]{3}", status).group(0)  # the code, in the text
    assert code in await ui.text() and "staff will phone you" in status
    await ui.screenshot("done-provisional")

    server.start()  # back: the kiosk pushes, the server confirms, the screen follows
    await ui.expect_title("Your booking is confirmed", timeout=30_000)
    await _text_of(ui, "booking-status", "is now confirmed")
    await ui.screenshot("done-confirmed-later")


async def test_a_slow_server_does_not_freeze_the_kiosk_while_it_confirms(central, start_kiosk, new_ui):
    """The answer to "Book it" is awaited off the page's event loop: while the server
    hangs, the screen says it is sending (and the button cannot be tapped twice); when
    the server answers, the booking is confirmed."""
    server, token_file = central
    kiosk = start_kiosk({"MADOGUCHI_SERVER_URL": server.url, "MADOGUCHI_CONFIRM_TIMEOUT_S": "20",
                         "MADOGUCHI_KIOSK_TOKEN_FILE": str(token_file)})
    ui = await new_ui(kiosk.url)
    await ui.tap_id("lang-en")
    await _text_of(ui, "connection", "Online")
    for step in ("task-book", "category-hall", "unit-chuo-hall"):
        await ui.tap_id(step)
    await ui.expect_title("Choose a day")
    await ui.tap_id("day-2026-11-27")
    await ui.expect_title("Choose the time")
    await _guest_to_confirm(ui, "slot-1300")

    os.kill(server.proc.pid, signal.SIGSTOP)  # the server hangs: accepts, never answers
    try:
        await ui.tap_id("book")
        # drawn while the answer is awaited: a frozen loop could not draw it
        await _text_of(ui, "book", "Sending to the city", timeout_s=5)
        await ui.screenshot("sending")
        assert "Check your booking" in await ui.text()
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    # confirmed: on to paying; or, when the push's own HTTP timeout ran out during the hang,
    # the done screen (provisional at first), which follows sync to "confirmed"
    await ui.expect_title(re.compile("How would you like to pay\\?|Your booking is confirmed"), timeout=20_000)

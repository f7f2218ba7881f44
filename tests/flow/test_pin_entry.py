"""PIN digits typed so far survive a change of text size or contrast on the card's
and the staff's PIN pads (the screen is redrawn from the flow), and go everywhere else:
OK, leaving the pad, start over, timeout. Never in a repr or a pickle."""

from __future__ import annotations

import logging
import pickle

import pytest

from kiosk.card.virtual import LocalCardService, VirtualMyNumberCard
from kiosk.flow.assist import assist_of, attach
from kiosk.flow.display import display_panel
from kiosk.flow.staff_pin import PinGate, StaffPin, hash_pin
from kiosk.flow.states import State

from test_card_identify import (  # noqa: F401  (server, server_for: fixtures)
    CARD, PIN, choose_card, make_flow, server, server_for, to_identify, until)

STAFF_PIN = "2468"


def _change_text_size_and_contrast(flow) -> None:
    """What the panel's taps do: the page then draws the screen again from the flow."""
    panel = display_panel(flow.session, flow.t)
    panel.open.run()
    display_panel(flow.session, flow.t).sizes[2].run()  # extra large
    display_panel(flow.session, flow.t).contrasts[1].run()  # high contrast
    display_panel(flow.session, flow.t).close.run()


async def test_card_pin_digits_survive_a_text_size_change_and_go_on_leaving(cache, clock, server, caplog):
    caplog.set_level(logging.DEBUG)
    flow = make_flow(cache, clock, LocalCardService(VirtualMyNumberCard(CARD), inserted=True), server)
    to_identify(flow)
    choose_card(flow)
    await until(flow, State.CARD_PIN)
    pad = flow.screen().entry
    for digit in PIN[:3]:
        pad.press(digit, limit=flow.screen().length)
    _change_text_size_and_contrast(flow)
    redrawn = flow.screen()
    assert flow.state is State.CARD_PIN
    assert redrawn.entry.count == 3  # the person's place on the pad is kept
    assert PIN[:3] not in repr(redrawn) and PIN[:3] not in repr(flow.session)
    with pytest.raises(TypeError):
        pickle.dumps(redrawn.entry)
    flow.card.back()  # leaving the pad: the digits go
    assert pad.count == 0
    choose_card(flow)
    await until(flow, State.CARD_PIN)
    pad.press("1", limit=4)
    flow.start_over()  # and with the session
    assert pad.count == 0 and flow.session.card_pin.count == 0
    assert PIN[:3] not in caplog.text


async def test_card_pin_ok_takes_the_digits(cache, clock, server):
    flow = make_flow(cache, clock, LocalCardService(VirtualMyNumberCard(CARD), inserted=True), server)
    to_identify(flow)
    choose_card(flow)
    await until(flow, State.CARD_PIN)
    screen = flow.screen()
    for digit in PIN:
        screen.entry.press(digit, limit=screen.length)
    screen.submit(screen.entry.take())  # what the pad's OK does
    assert flow.state is State.CARD_READING and flow.session.card_pin.count == 0
    await until(flow, State.CARD_CONSENT)


def test_staff_pin_digits_survive_a_text_size_change_and_go_when_the_pad_closes(flow, go):
    attach(flow, gate=PinGate(StaffPin(hash_pin(STAFF_PIN, bytes(16)))))
    go.time_blocks(flow, "vi")
    assist = assist_of(flow)
    assist.open_pin()
    pad = flow.screen().entry
    pad.press("2", limit=flow.screen().max_digits)
    pad.press("4", limit=flow.screen().max_digits)
    _change_text_size_and_contrast(flow)
    assert flow.screen().view_key == "helper_pin" and flow.screen().entry.count == 2
    assert "24" not in repr(flow.session)
    assist.close_pin()
    assert pad.count == 0
    assist.open_pin()
    pad.press("9", limit=8)
    flow.timeout()  # inactivity: nothing of the person, nor of the staff, is left
    assert pad.count == 0 and flow.state is State.LANGUAGE

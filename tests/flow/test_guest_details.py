"""The guest's questions, one per screen: name, phone, residency. Each keeps what was
typed across redraws and BACK; each checks only its own answer."""

from __future__ import annotations

import pytest

from kiosk.domain.model import Residency
from kiosk.flow import IllegalTransition, State


def _to_guest_name(flow, go, lang="en"):
    go.time_blocks(flow, lang)
    flow.screen().slots[0].run()
    flow.select_slots()
    flow.select_identify_method("guest")
    assert flow.state is State.GUEST_NAME


def test_one_question_per_screen_in_order(flow, go):
    _to_guest_name(flow, go)
    name = flow.screen()
    assert (name.chrome.title, name.field, name.field_label) == ("What is your name?", "name", "Name")
    assert name.chrome.step == "Step 6 of 7"
    name.edit("Ann Lee")
    name.next.run()
    phone = flow.screen()
    assert flow.state is State.GUEST_PHONE
    assert (phone.chrome.title, phone.field, phone.field_label) == (
        "What is your phone number?", "phone", "Phone number")
    assert phone.chrome.step == "Step 6 of 7"  # the three questions are one step: who books
    phone.edit("03-1234-5678")
    phone.next.run()
    residency = flow.screen()
    assert flow.state is State.GUEST_RESIDENCY
    assert residency.chrome.title == "Do you live in Midori City?"
    [yes, no] = residency.options
    assert (yes.id, no.id) == ("resident-yes", "resident-no") and not yes.selected
    yes.run()  # the answer is the tap: no "next"
    assert flow.state is State.CONFIRM
    assert flow.session.guest.residency is Residency.RESIDENT
    assert (flow.session.guest.name, flow.session.guest.phone) == ("Ann Lee", "03-1234-5678")


def test_back_keeps_every_answer(flow, go):
    _to_guest_name(flow, go)
    flow.select_guest_details("Ann Lee", "0312345678", Residency.NON_RESIDENT)
    assert flow.state is State.CONFIRM
    flow.back()
    assert flow.state is State.GUEST_RESIDENCY
    assert [a.selected for a in flow.screen().options] == [False, True]
    assert flow.screen().options[1].badge == "✓"
    flow.back()
    assert (flow.state, flow.screen().value) == (State.GUEST_PHONE, "0312345678")
    flow.back()
    assert (flow.state, flow.screen().value) == (State.GUEST_NAME, "Ann Lee")
    flow.back()
    assert flow.state is State.IDENTIFY


def test_typed_text_survives_a_redraw(flow, go):
    _to_guest_name(flow, go)
    flow.screen().edit("Ann")
    assert flow.screen().value == "Ann"  # what the UI draws after a text-size change


def test_each_screen_checks_only_its_own_answer(flow, go):
    _to_guest_name(flow, go)
    flow.screen().next.run()
    assert flow.state is State.GUEST_NAME
    assert flow.screen().chrome.notices == ("Please enter your name.",)
    flow.screen().edit("  Ann Lee ")
    flow.screen().next.run()
    assert flow.state is State.GUEST_PHONE and flow.session.guest.name == "Ann Lee"
    flow.screen().edit("12345")
    flow.screen().next.run()
    assert flow.state is State.GUEST_PHONE
    assert flow.screen().chrome.notices == ("Please enter a phone number of 10 or 11 digits.",)
    assert flow.screen().value == "12345"  # kept for correction
    flow.screen().edit("０９０ー１２３４ー５６７８")  # full-width, as an IME types
    flow.screen().next.run()
    assert flow.state is State.GUEST_RESIDENCY and flow.session.guest.phone == "09012345678"
    flow.guest.choose_residency(None)
    assert flow.state is State.GUEST_RESIDENCY
    assert flow.screen().chrome.notices == ("Please answer whether you live in Midori City.",)


def test_edits_outside_their_screen_are_refused(flow, go):
    with pytest.raises(IllegalTransition):
        flow.guest.edit_name("X")
    with pytest.raises(IllegalTransition):
        flow.guest.choose_residency(Residency.RESIDENT)
    _to_guest_name(flow, go)
    with pytest.raises(IllegalTransition):
        flow.guest.edit_phone("0312345678")  # the phone's screen is the next one


def test_a_huge_paste_is_cut_and_then_refused_as_too_long(flow, go):
    _to_guest_name(flow, go)
    flow.guest.edit_name("あ" * 10_000)
    assert len(flow.session.guest.name) == 240
    flow.guest.submit_name()
    assert flow.state is State.GUEST_NAME
    assert flow.screen().chrome.notices == ("The name is too long (up to 60 characters).",)
    flow.guest.edit_name("Ann Lee")
    flow.guest.submit_name()
    flow.guest.edit_phone("0" * 1_000)
    assert len(flow.session.guest.phone) == 64


def test_a_card_holder_never_sees_the_guest_questions():
    from kiosk.flow.states import TRANSITIONS, Event

    # the card's way to the booking check: straight from reading the card
    assert TRANSITIONS[(State.CARD_READING, Event.CARD_IDENTIFIED)] is State.CONFIRM

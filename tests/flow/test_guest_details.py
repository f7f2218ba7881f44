"""Guest details keep what is typed across re-draws; yes/no is a flow action."""

from __future__ import annotations

import pytest

from kiosk.domain.model import Residency
from kiosk.flow import IllegalTransition, State


def _to_guest_details(flow, go):
    go.time_blocks(flow, "en")
    flow.screen().slots[0].run()
    flow.select_slots()
    flow.select_identify_method("guest")
    assert flow.state is State.GUEST_DETAILS


def test_typed_text_and_residency_survive_a_redraw_and_submit(flow, go):
    _to_guest_details(flow, go)
    screen = flow.screen()
    screen.edit("Ann Lee", None)
    screen.edit(None, "03-1234-5678")
    [yes, no] = screen.residency_options
    assert (yes.id, no.id) == ("resident-yes", "resident-no") and not yes.selected
    yes.run()

    again = flow.screen()  # what the UI draws after the tap on "yes"
    assert (again.name, again.phone) == ("Ann Lee", "03-1234-5678")
    assert [a.selected for a in again.residency_options] == [True, False]
    assert again.residency_options[0].badge == "✓"

    again.submit.run()
    assert flow.state is State.CONFIRM
    assert flow.session.guest.residency is Residency.RESIDENT


def test_submit_with_nothing_typed_shows_every_problem_and_stays(flow, go):
    _to_guest_details(flow, go)
    flow.screen().submit.run()
    assert flow.state is State.GUEST_DETAILS
    assert flow.screen().chrome.notices == (
        "Please enter your name.",
        "Please enter a phone number of 10 or 11 digits.",
        "Please answer whether you live in Midori City.",
    )


def test_edit_outside_the_guest_details_screen_is_refused(flow):
    with pytest.raises(IllegalTransition):
        flow.edit_guest("X", None)
    with pytest.raises(IllegalTransition):
        flow.choose_residency(Residency.RESIDENT)


def test_a_huge_paste_is_cut_and_then_refused_as_too_long(flow, go):
    _to_guest_details(flow, go)
    flow.edit_guest("あ" * 10_000, "0" * 1_000)
    assert len(flow.session.guest.name) == 240 and len(flow.session.guest.phone) == 64
    flow.choose_residency(Residency.NON_RESIDENT)
    flow.submit_guest_details()
    assert flow.state is State.GUEST_DETAILS
    assert "The name is too long (up to 60 characters)." in flow.screen().chrome.notices

"""Assisted mode in the flow, without a browser: the call-staff chrome on every screen,
idempotent calls, the staff PIN (hash, rate limit), the helper view's bilingual
overlay, and the wipe at the end of the session."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest

from kiosk.flow import assist_messages as A
from kiosk.flow.assist import assist_of, attach
from kiosk.flow.assist_view import AssistChrome, HelperPinScreen
from kiosk.flow.pin_entry import PinEntry
from kiosk.flow.staff_pin import PinGate, PinResult, StaffPin, hash_pin
from kiosk.flow.states import State
from kiosk.i18n import LANGUAGES_BY_CODE, Translator
from kiosk.staff_calls import CallStatus, StaffCall


def to_time_blocks(flow, lang: str = "ja", day: date = date(2026, 11, 28)) -> None:
    flow.select_language(lang)
    flow.select_task()
    flow.select_category("hall")
    flow.select_unit("chuo-hall")
    flow.select_day(day)


PIN = "2468"
PIN_HASH = hash_pin(PIN, salt=b"test salt 123456")


class FakeCalls:
    """A sender that records what the flow sends (the real one: tests/sync)."""

    def __init__(self, delivered: bool = True) -> None:
        self.delivered = delivered
        self.sent: list[StaffCall] = []
        self.cancelled: list[str] = []
        self.left_calls: list[str] = []
        self.statuses: dict[str, CallStatus] = {}

    def send(self, call: StaffCall) -> None:
        if call.call_id in self.statuses:
            return
        self.sent.append(call)
        self.statuses[call.call_id] = CallStatus.SENT if self.delivered else CallStatus.QUEUED

    def cancel(self, call_id: str) -> None:
        self.cancelled.append(call_id)
        self.statuses[call_id] = CallStatus.CANCELLED

    def left(self, call_id: str) -> None:
        self.left_calls.append(call_id)
        self.statuses[call_id] = CallStatus.LEFT

    def status(self, call_id: str):
        return self.statuses.get(call_id)

    def wait_delivered(self, call_id: str, timeout: float) -> bool:
        return self.delivered


@pytest.fixture
def calls():
    return FakeCalls()


@pytest.fixture
def assisted(flow, calls):
    attach(flow, calls, PinGate(StaffPin(PIN_HASH)), wait_s=0)
    return flow


def test_every_screen_has_a_call_staff_button(flow) -> None:
    from kiosk.flow.screens import _BUILDERS

    for state in State:
        assert state in _BUILDERS
    screen = flow.screen()
    assert isinstance(screen.chrome.assist, AssistChrome)
    assert screen.chrome.assist.call.label == A.CALL_STAFF_LANGUAGE_SCREEN
    to_time_blocks(flow, "vi")
    for _ in range(2):
        chrome = flow.screen().chrome
        assert chrome.assist.call.label == Translator("vi")(A.CALL_STAFF) != A.CALL_STAFF
        flow.back()


def test_a_call_carries_the_screen_and_nothing_personal_and_is_raised_once(assisted, calls) -> None:
    to_time_blocks(assisted, "vi")
    assisted.session.guest.name = "Nguyễn Văn An"
    assisted.session.guest.phone = "09012345678"
    assisted.screen().chrome.assist.call.run()
    assert len(calls.sent) == 1
    call = calls.sent[0]
    assert (call.screen, call.context, call.language) == ("time_blocks", "screen", "vi")
    assert set(vars(call)) == {"call_id", "screen", "context", "language"}
    chrome = assisted.screen().chrome.assist
    assert chrome.call is None and chrome.cancel is not None  # no second call from this screen
    assert chrome.message == Translator("vi")(A.CALL_SENT) and not chrome.warning
    assist_of(assisted).call_staff()  # a second tap however it comes
    assert len(calls.sent) == 1
    chrome.cancel.run()
    assert calls.cancelled == [call.call_id]
    after = assisted.screen().chrome.assist
    assert after.call is not None and after.message == Translator("vi")(A.CALL_CANCELLED)


def test_offline_the_person_is_told_to_ask_at_the_counter(flow) -> None:
    attach(flow, FakeCalls(delivered=False), wait_s=0)
    flow.select_language("en")
    flow.screen().chrome.assist.call.run()
    chrome = flow.screen().chrome.assist
    assert chrome.warning and "ask at the counter" in chrome.message
    # a kiosk with no central server at all says so too
    flow.start_over()
    attach(flow)
    flow.select_language("en")
    flow.screen().chrome.assist.call.run()
    assert flow.screen().chrome.assist.message == A.CALL_NO_SERVER


def test_calls_from_the_language_screen_speak_japanese_and_english(assisted, calls) -> None:
    assisted.screen().chrome.assist.call.run()
    assert calls.sent[0].language is None and calls.sent[0].screen == "language"
    message = assisted.screen().chrome.assist.message
    assert message == A.LANGUAGE_SCREEN_CALL["sent"]


def test_wrong_pin_is_refused_in_the_persons_language_and_rate_limited(assisted) -> None:
    assisted.select_language("vi")
    assisted.screen().chrome.assist.helper_entry.run()
    pad = assisted.screen()
    assert isinstance(pad, HelperPinScreen) and pad.chrome.state is State.HOME
    for _ in range(3):
        pad.submit("1111")
        pad = assisted.screen()
        assert pad.error and pad.message.split("\n") == [Translator("vi")(A.HELPER_PIN_WRONG) if _ < 2 else
                                                         Translator("vi")(A.HELPER_PIN_WRONG),
                                                         Translator("ja")(A.HELPER_PIN_WRONG)]
    pad.submit(PIN)  # right, but locked out after three wrong ones
    pad = assisted.screen()
    assert pad.message.split("\n")[0] == Translator("vi")(A.HELPER_PIN_LOCKED)
    assert not assist_of(assisted).helper
    pad.chrome.back.run()
    assert assisted.screen().chrome.title == Translator("vi")("What would you like to do?")


def test_pin_gate_locks_and_never_keeps_the_pin() -> None:
    now = [0.0]
    gate = PinGate(StaffPin(PIN_HASH), max_failures=3, lockout_s=30, monotonic=lambda: now[0])
    assert [gate.try_pin(p) for p in ("0000", "1111", "2222")] == [PinResult.WRONG] * 3
    assert gate.try_pin(PIN) is PinResult.LOCKED
    now[0] = 31
    assert [gate.try_pin(p) for p in ("0000", "1111", "2222")] == [PinResult.WRONG] * 3
    now[0] = 62  # the second lockout in a row lasts longer (60 s)
    assert gate.try_pin(PIN) is PinResult.LOCKED
    now[0] = 92
    assert gate.try_pin(PIN) is PinResult.OK
    assert PIN not in repr(gate) and PIN not in PIN_HASH
    assert PinGate(None).try_pin(PIN) is PinResult.NOT_SET_UP
    assert not StaffPin(PIN_HASH).check("24680000x")


def test_helper_view_shows_vietnamese_beside_japanese(assisted) -> None:
    to_time_blocks(assisted, "vi")
    assist_of(assisted).open_pin()
    assisted.screen().submit(PIN)
    screen = assisted.screen()
    band = screen.chrome.assist.helper
    ja, vi = Translator("ja"), Translator("vi")
    assert screen.chrome.title == vi("Choose the time")
    assert band.title == ja("Choose the time")
    assert band.explanation == ja(A.HELP_FOR[State.TIME_BLOCKS]) != A.HELP_FOR[State.TIME_BLOCKS]
    assert band.heading == f"{vi(A.HELPER_BAND)}\n{ja(A.HELPER_BAND)}"
    slot = screen.slots[0]
    assert slot.label.startswith(vi("Morning")) and ja("Morning") in slot.staff_label
    assert screen.next.staff_label == ja("Next") and screen.chrome.back.staff_label == ja("Back")
    # notices in both languages
    screen.next.run()
    notices = assisted.screen().chrome
    assert notices.notices == (vi("Please choose at least one time."),)
    assert notices.assist.helper.notices == (ja("Please choose at least one time."),)
    # the same flow goes on in helper view
    screen.slots[0].run()
    assisted.select_slots()
    assert assisted.state is State.IDENTIFY
    assert assisted.screen().chrome.assist.helper.explanation == ja(A.HELP_FOR[State.IDENTIFY])


def test_every_state_has_a_helper_explanation_in_every_language() -> None:
    assert set(A.HELP_FOR) == set(State)
    for code in LANGUAGES_BY_CODE:
        t = Translator(code)
        for message in (*A.HELP_FOR.values(), A.CALL_STAFF, A.HELPER_LEAVE):
            assert t(message), (code, message)


def test_leaving_helper_view_and_the_session_end_leave_nothing(assisted, calls) -> None:
    to_time_blocks(assisted, "vi")
    assisted.screen().chrome.assist.call.run()
    assist_of(assisted).open_pin()
    assisted.screen().submit(PIN)
    assert assisted.screen().chrome.assist.helper is not None
    assisted.screen().chrome.assist.helper.leave.run()
    plain = assisted.screen()
    assert plain.chrome.assist.helper is None and all(not s.staff_label or s.staff_label in ("午前", "午後", "夜間")
                                                      for s in plain.slots)
    assist_of(assisted).open_pin()
    assisted.screen().submit(PIN)
    call_id = assist_of(assisted).session.call_id
    assisted.start_over()  # the person leaves: helper view and the call go with them
    assert calls.left_calls == [call_id] and calls.cancelled == []  # staff learn nobody waits
    fresh = assisted.session.assist
    assert [getattr(fresh, f.name) for f in fields(fresh)] == [None, "", False, False, False, None, PinEntry()]
    screen = assisted.screen()
    assert screen.chrome.assist.call is not None and screen.chrome.assist.message == ""
    assert screen.chrome.assist.helper is None


def test_helper_view_on_the_confirm_screen_of_a_japanese_person(assisted) -> None:
    to_time_blocks(assisted, "ja", day=date(2026, 11, 28))
    assist_of(assisted).open_pin()
    assisted.screen().submit(PIN)
    screen = assisted.screen()
    band = screen.chrome.assist.helper
    assert band.title == "" and band.explanation == Translator("ja")(A.HELP_FOR[State.TIME_BLOCKS])
    assert all(not s.staff_label for s in screen.slots)  # Japanese already: no second line


def test_helper_view_puts_japanese_under_the_screens_own_labels(assisted) -> None:
    to_time_blocks(assisted, "vi")
    assisted.screen().slots[0].run()
    assisted.select_slots()
    assisted.select_identify_method("guest")
    assist_of(assisted).open_pin()
    assisted.screen().submit(PIN)
    ja, vi = Translator("ja"), Translator("vi")
    name = assisted.screen()
    assert name.field_label == f"{vi('Name')} / {ja('Name')}"
    assert name.chrome.help_text == ""  # staff are here: no "call a staff member" line
    name.edit("Nguyễn Văn An")
    name.next.run()
    phone = assisted.screen()
    assert phone.field_label == f"{vi('Phone number')} / {ja('Phone number')}"
    phone.edit("09012345678")
    phone.next.run()
    residency = assisted.screen()
    assert residency.chrome.assist.helper.title == "みどり市にお住まいですか？"
    residency.options[0].run()
    confirm = assisted.screen()
    labels = [label for label, _ in confirm.summary]
    assert f"{vi('Place')}\n{ja('Place')}" in labels
    assert ("Nguyễn Văn An" in [value for _, value in confirm.summary])
    assert confirm.fee_title == f"{vi('Fee')}\n{ja('Fee')}"


def test_the_helpers_notices_name_the_city_in_japanese(assisted) -> None:
    to_time_blocks(assisted, "vi")
    assisted.screen().slots[0].run()
    assisted.select_slots()
    assisted.select_identify_method("guest")
    assist_of(assisted).open_pin()
    assisted.screen().submit(PIN)
    assisted.guest.edit_name("Nguyễn Văn An")
    assisted.guest.submit_name()
    assisted.guest.edit_phone("09012345678")
    assisted.guest.submit_phone()
    assisted.guest.choose_residency(None)  # no answer: the notice names the city
    band = assisted.screen().chrome.assist.helper
    assert any("みどり市" in n for n in band.notices), band.notices
    assert not any("Thành phố" in n for n in band.notices)


def test_calls_from_the_error_and_timeout_dialogs_say_so(assisted, calls) -> None:
    assisted.select_language("en")
    assist_of(assisted).call_staff("error")
    assert (calls.sent[-1].screen, calls.sent[-1].context) == ("home", "error")
    assisted.screen().chrome.assist.cancel.run()
    assist_of(assisted).call_staff("timeout")
    assert (calls.sent[-1].screen, calls.sent[-1].context) == ("home", "timeout")
    with pytest.raises(ValueError):
        assist_of(assisted).call_staff("name:Alex")


def test_the_staff_pin_tool_prints_a_hash_never_the_pin(capsys) -> None:
    from kiosk.tools import staff_pin

    assert staff_pin.main([], ask=lambda prompt: "24681357") == 0
    line = capsys.readouterr().out.strip()
    assert StaffPin(line).check("24681357") and "24681357" not in line
    answers = iter(["2468", "2469"])
    assert staff_pin.main([], ask=lambda prompt: next(answers)) == 1  # the two differ
    assert staff_pin.main([], ask=lambda prompt: "12") == 1  # too short
    assert "12" not in capsys.readouterr().out

"""Assisted mode end to end: a Vietnamese-speaking resident calls staff, a staff member
sees the call through the central server's staff API, switches the kiosk into helper
view with the staff PIN and guides the booking with Vietnamese beside Japanese; then
leaves helper view and the session is wiped. A wrong staff PIN is refused in words.

Real kiosk process, real central server process, real Chromium."""

from __future__ import annotations

import json

import httpx
import pytest
from playwright.async_api import expect

from kiosk.flow import assist_messages as A
from kiosk.flow.staff_pin import hash_pin
from kiosk.flow.states import State
from kiosk.i18n import Translator

from .ui import KioskUI
from .walk import close_display, set_display

PIN = "5173"
JA, VI = Translator("ja"), Translator("vi")
NAME, PHONE = "Nguyễn Thị Lan", "09087654321"


@pytest.fixture(scope="module")
def kiosk_env(central):
    return {**central.kiosk_env, "MADOGUCHI_STAFF_PIN_HASH": hash_pin(PIN)}


@pytest.fixture(scope="module")
def staff_api(central):
    token = (central.data_dir / "staff.token").read_text().strip()
    with httpx.Client(base_url=central.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as c:
        yield c


async def enter_pin(ui: KioskUI, pin: str) -> None:
    await ui.wait_for_id("staff-pin-dots")
    await ui.wait_for_text("－")  # a fresh pad: no digits yet
    for n, digit in enumerate(pin, 1):
        await ui.tap_id(f"staff-pin-key-{digit}")
        await ui.wait_for_text(" ".join("●" * n))  # the dots only, never the digits
    assert pin not in await ui.page_leftovers()
    await ui.tap_id("staff-pin-ok")


async def expect_helper(ui: KioskUI, state: State, ja_title: str | None) -> None:
    """The helper's band: Japanese title and what to do here, in Japanese."""
    await expect(ui.by_id("helper-explanation")).to_have_text(JA(A.HELP_FOR[state]))
    if ja_title is not None:
        await expect(ui.by_id("helper-title")).to_have_text(ja_title)


async def test_vietnamese_resident_guided_in_helper_view(ui: KioskUI, staff_api, central):
    await ui.expect_title("言語を選んでください / Choose your language")
    await expect(ui.by_id("call-staff")).to_have_text(A.CALL_STAFF_LANGUAGE_SCREEN)
    await ui.tap("Tiếng Việt", exact=True)

    # The resident calls staff from the home screen, in Vietnamese.
    await ui.expect_title(VI("What would you like to do?"))
    await expect(ui.by_id("call-staff")).to_have_text("Gọi nhân viên")
    await ui.tap_id("call-staff")
    await expect(ui.by_id("call-status")).to_contain_text("Đã gọi nhân viên")
    await expect(ui.by_id("call-staff")).to_have_count(0)  # no second call from here
    await ui.screenshot("called")

    calls = staff_api.get("/v1/staff/calls").json()
    assert len(calls) == 1, calls
    call = calls[0]
    assert (call["kiosk"], call["screen"], call["context"], call["language"], call["status"]) == (
        "demo-kiosk-1", "home", "screen", "vi", "open")

    # Staff are on their way: the kiosk says so without a tap.
    assert staff_api.post(f"/v1/staff/calls/{call['call_id']}/acknowledge").status_code == 200
    await expect(ui.by_id("call-status")).to_contain_text(VI(A.CALL_ACKNOWLEDGED), timeout=10_000)
    await ui.screenshot("acknowledged")

    # Staff switch to helper view with their PIN.
    await ui.tap_id("helper-view")
    await enter_pin(ui, PIN)
    await expect(ui.by_id("helper-heading")).to_have_text(f"{VI(A.HELPER_BAND)} / {JA(A.HELPER_BAND)}")
    await expect_helper(ui, State.HOME, JA("What would you like to do?"))
    await ui.expect_title(VI("What would you like to do?"))
    await expect(ui.by_id("task-book")).to_contain_text(JA("Book a room or court"))  # Japanese under
    await expect(ui.by_id("task-book")).to_contain_text(VI("Book a room or court"))
    await ui.screenshot("helper-home")
    await ui.tap_id("task-book")

    await expect_helper(ui, State.CATEGORY, JA("What kind of place do you need?"))
    await ui.tap_id("category-hall")
    await expect_helper(ui, State.UNIT, JA("Choose a place"))
    await ui.tap_id("unit-chuo-hall")
    await expect_helper(ui, State.CALENDAR, JA("Choose a day"))
    await ui.screenshot("helper-calendar")
    await ui.tap_id("day-2026-11-28")
    await expect_helper(ui, State.TIME_BLOCKS, JA("Choose the time"))
    await expect(ui.by_id("slot-0900")).to_contain_text("午前")
    await ui.tap_id("slot-0900")
    await expect(ui.by_id("slot-0900")).to_contain_text(VI("Selected"))
    await ui.tap_id("next")
    await expect_helper(ui, State.IDENTIFY, JA("How will you identify yourself?"))
    await ui.tap_id("identify-guest")
    await expect_helper(ui, State.GUEST_NAME, JA("What is your name?"))
    await ui.tap_id("next")  # nothing typed yet: the notice in both languages
    await expect(ui.by_id("notices")).to_contain_text(VI("Please enter your name."))
    await expect(ui.by_id("helper-notice").first).to_contain_text(JA("Please enter your name."))
    await ui.screenshot("helper-guest-notices")
    await ui.fill(VI("Name"), NAME)
    await ui.tap_id("next")
    await expect_helper(ui, State.GUEST_PHONE, JA("What is your phone number?"))
    await ui.fill(VI("Phone number"), PHONE)
    await ui.tap_id("next")
    await expect_helper(ui, State.GUEST_RESIDENCY, JA("Do you live in {city}?", city="みどり市"))
    await ui.tap_id("resident-yes")  # the answer goes on by itself
    await expect_helper(ui, State.CONFIRM, JA("Check your booking"))
    await ui.tap_id("exemption-disability")
    await ui.screenshot("helper-confirm")
    await ui.tap_id("book")

    await expect_helper(ui, State.DONE, JA("Your booking is done"))
    code = (await ui.by_id("booking-code").inner_text()).split()[-1]
    await ui.screenshot("helper-done")

    # Staff leave helper view: the plain Vietnamese screen again.
    await ui.tap_id("helper-leave")
    await expect(ui.by_id("helper-band")).to_have_count(0)
    await ui.expect_title(VI("Your booking is done"))
    assert JA("Your booking is done") not in await ui.text()

    # Nothing personal ever reached the staff-call API.
    everything = json.dumps(staff_api.get("/v1/staff/calls", params={"include_closed": True}).json(),
                            ensure_ascii=False)
    for personal in (NAME, PHONE, PHONE[-4:], code, code.replace("-", "")):
        assert personal not in everything
    staff_api.post(f"/v1/staff/calls/{call['call_id']}/close")

    # The session ends: nothing of it is left for the next person.
    await ui.tap_id("finish")
    await ui.expect_title("言語を選んでください / Choose your language")
    await expect(ui.by_id("call-staff")).to_have_text(A.CALL_STAFF_LANGUAGE_SCREEN)
    leftovers = await ui.page_leftovers()
    for gone in (NAME, PHONE, code, VI(A.HELPER_BAND), VI(A.CALL_ACKNOWLEDGED), JA(A.HELP_FOR[State.DONE])):
        assert gone not in leftovers, gone
    await expect(ui.by_id("helper-band")).to_have_count(0)
    await expect(ui.by_id("call-status")).to_have_count(0)
    await ui.screenshot("wiped")


async def test_staff_pin_digits_survive_a_change_of_text_size(ui: KioskUI):
    """Staff start typing, the person (or staff) changes the text size: the digits typed
    stay, as the same PIN pad as the card's keeps them (kiosk/ui/pin_pad.py)."""
    await ui.tap("Tiếng Việt", exact=True)
    await ui.expect_title(VI("What would you like to do?"))
    await ui.tap_id("helper-view")
    await ui.wait_for_id("staff-pin-dots")
    for digit in PIN[:2]:
        await ui.tap_id(f"staff-pin-key-{digit}")
    await ui.wait_for_text("● ●")
    await set_display(ui, "large", "high")
    await close_display(ui)
    await ui.wait_for_text("● ●")  # redrawn larger, light on black: the two digits kept
    for n, digit in enumerate(PIN[2:], 3):
        await ui.tap_id(f"staff-pin-key-{digit}")
        await ui.wait_for_text(" ".join("●" * n))
    assert PIN not in await ui.page_leftovers()
    await ui.screenshot("staff-pin-large")
    await ui.tap_id("staff-pin-ok")
    await ui.wait_for_id("helper-band")


async def test_wrong_staff_pin_is_refused_with_a_message_and_rate_limited(start_kiosk, new_ui, central):
    kiosk = start_kiosk({**central.kiosk_env, "MADOGUCHI_STAFF_PIN_HASH": hash_pin(PIN)})
    ui = await new_ui(kiosk.url)
    await ui.tap("Tiếng Việt", exact=True)
    await ui.expect_title(VI("What would you like to do?"))
    await ui.tap_id("helper-view")
    await ui.expect_title(f"{VI(A.HELPER_PIN_TITLE)}\n{JA(A.HELPER_PIN_TITLE)}")
    await enter_pin(ui, "0000")
    await expect(ui.by_id("staff-pin-message")).to_contain_text(VI(A.HELPER_PIN_WRONG))
    await expect(ui.by_id("staff-pin-message")).to_contain_text(JA(A.HELPER_PIN_WRONG))
    await ui.screenshot("wrong-pin")
    await enter_pin(ui, "1111")
    await enter_pin(ui, "2222")
    await enter_pin(ui, PIN)  # right, but too late: locked out for now
    await expect(ui.by_id("staff-pin-message")).to_contain_text(VI(A.HELPER_PIN_LOCKED))
    await expect(ui.by_id("helper-band")).to_have_count(0)
    await ui.tap_id("pin-cancel")  # back to where the person was, choices kept
    await ui.expect_title(VI("What would you like to do?"))
    assert "0000" not in kiosk.log_tail(500) and PIN not in kiosk.log_tail(500)


async def test_call_staff_from_the_inactivity_warning(start_kiosk, new_ui, central, staff_api):
    """The "are you still there?" warning has the button too: a person who is stuck and
    idle calls from there, gets more time, and staff see where they were."""
    kiosk = start_kiosk({**central.kiosk_env, "MADOGUCHI_INACTIVITY_TIMEOUT_S": "16",
                         "MADOGUCHI_INACTIVITY_WARNING_S": "8"})
    ui = await new_ui(kiosk.url)
    for step in ("lang-pt-BR", "task-book", "category-hall"):
        await ui.tap_id(step)
    await ui.expect_title(Translator("pt-BR")("Choose a place"))
    before = {c["call_id"] for c in staff_api.get("/v1/staff/calls").json()}
    await ui.by_id("timeout-countdown").wait_for(timeout=20_000)
    await ui.screenshot("warning-with-call")
    await ui.tap_id("call-staff-timeout")
    await expect(ui.by_id("call-status")).to_contain_text(Translator("pt-BR")(A.CALL_SENT))
    await expect(ui.by_id("timeout-countdown")).to_have_count(0)  # more time, too
    await ui.expect_title(Translator("pt-BR")("Choose a place"))
    new = [c for c in staff_api.get("/v1/staff/calls").json() if c["call_id"] not in before]
    assert [(c["screen"], c["context"], c["language"]) for c in new] == [("unit", "timeout", "pt-BR")]
    staff_api.post(f"/v1/staff/calls/{new[0]['call_id']}/close")

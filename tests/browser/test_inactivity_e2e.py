"""Inactivity: a warning with a countdown, then a reset to the language screen that
leaves nothing of the person's session on the page, in the accessibility tree, or in
the form the next person sees. The kiosk here warns after 8 s idle and resets after
16 s: short, yet long enough that a loaded machine never times out while the test is
still filling in the form."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from .ui import KioskUI
from .walk import enter_guest_details

NAME = "秘密 花子"
PHONE = "090-9876-5432"


@pytest.fixture(scope="module")
def kiosk_env():
    return {"MADOGUCHI_INACTIVITY_TIMEOUT_S": "16", "MADOGUCHI_INACTIVITY_WARNING_S": "8"}


async def _to_confirm(ui: KioskUI, unit: str) -> None:
    """Up to the confirm screen, which shows the person's name, place and time."""
    for step in ("lang-ja", "task-book", "category-meeting_room", f"unit-{unit}",
                 "day-2026-11-28", "slot-0900"):
        await ui.tap_id(step)
    await expect(ui.by_id("slot-0900")).to_contain_text("✓")
    await ui.tap_id("next")
    await ui.tap_id("identify-guest")
    await enter_guest_details(ui, NAME, PHONE)
    await ui.expect_title("予約内容の確認")


def _seconds(countdown: str) -> int:
    return int(re.fullmatch(r"あと(\d+)秒で最初の画面に戻ります。", countdown.strip()).group(1))


async def test_warning_counts_down_then_reset_leaves_nothing(ui: KioskUI):
    await _to_confirm(ui, "chuo-meeting-1")
    await ui.screenshot("before-idle")
    assert NAME in await ui.page_leftovers()  # the check below can see a name at all

    # Idle: the warning comes, and its countdown runs.
    countdown = ui.by_id("timeout-countdown")
    await countdown.wait_for(timeout=20_000)
    await ui.wait_for_text("まだご利用中ですか？")
    first = _seconds(await countdown.inner_text())
    assert 1 <= first <= 8
    await ui.screenshot("warning")
    await expect(countdown).not_to_have_text(await countdown.inner_text(), timeout=3_000)
    assert _seconds(await countdown.inner_text()) < first

    # Then the reset: the language screen, and nothing of the person anywhere.
    await ui.expect_title("言語を選んでください / Choose your language", timeout=20_000)
    await expect(countdown).to_have_count(0)
    await ui.screenshot("after-reset")
    leftovers = await ui.page_leftovers()
    for secret in (NAME, "秘密", PHONE, "09098765432", "みどり市立中央公民館"):
        assert secret not in leftovers

    # The next person's form is empty (a field shows its value in the DOM once focused).
    for step in ("lang-ja", "task-book", "category-meeting_room", "unit-chuo-meeting-1",
                 "day-2026-11-28", "slot-0900"):
        await ui.tap_id(step)
    await expect(ui.by_id("slot-0900")).to_contain_text("✓")
    await ui.tap_id("next")
    await ui.tap_id("identify-guest")
    await ui.textbox("名前").click()
    await expect(ui.textbox("名前")).to_have_value("")
    await ui.fill("名前", "次の人")
    await ui.tap_id("next")
    await ui.textbox("電話番号").click()
    await expect(ui.textbox("電話番号")).to_have_value("")
    await ui.fill("電話番号", "0300000000")
    await ui.tap_id("next")
    await expect(ui.by_id("resident-yes")).not_to_contain_text("✓")
    await ui.screenshot("next-person-form")
    assert NAME not in await ui.page_leftovers()


async def test_more_time_keeps_the_session(ui: KioskUI):
    await _to_confirm(ui, "chuo-meeting-2")
    await ui.by_id("timeout-countdown").wait_for(timeout=20_000)
    await ui.tap("もっと時間を使う")
    await expect(ui.by_id("timeout-countdown")).to_have_count(0)
    await ui.expect_title("予約内容の確認")
    assert NAME in await ui.text()
    await ui.tap_id("book")  # the session goes on as if never interrupted
    await ui.expect_title("仮予約です")  # this kiosk is offline: provisional


async def test_more_time_again_and_again_at_extra_large_text(ui: KioskUI):
    """The warning at the person's text size, its countdown in words, and "more time"
    as often as they need it (WCAG 2.2.1)."""
    from .a11y_checks import screen_problems
    from .walk import close_display, set_display

    await set_display(ui, "xl")
    await close_display(ui)
    await ui.tap_id("lang-ja")
    await ui.tap_id("task-book")
    await ui.wait_for_id("category-meeting_room")
    countdown = ui.by_id("timeout-countdown")
    for round_ in range(3):
        await countdown.wait_for(timeout=20_000)
        assert 1 <= _seconds(await countdown.inner_text()) <= 8  # "あと8秒で…": a sentence
        if round_ == 0:
            await ui.screenshot("warning-extra-large")
            problems = await screen_problems(ui, "inactivity warning", "ja", 24)
            assert not problems, "\n".join(problems)
        await ui.tap_id("more-time")
        await expect(countdown).to_have_count(0)
    await ui.wait_for_id("category-meeting_room")  # still where the person was

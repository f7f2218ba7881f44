"""Bad input in the browser: a broken rule, a full day, a form with mistakes. Each shows a
clear message in the person's language and loses nothing already chosen."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from playwright.async_api import expect

from kiosk.cache import BusyChange, Cache
from kiosk.domain.model import BookingStatus
from kiosk.opendata import load_city, sample_city_dir

from .ui import KioskUI


async def _to_calendar(ui: KioskUI, lang: str, category: str, unit: str) -> None:
    for step in (f"lang-{lang}", "task-book", f"category-{category}", f"unit-{unit}"):
        await ui.tap_id(step)
    await ui.wait_for_id("month")


async def test_too_many_slots_is_refused_in_easy_japanese_and_the_choice_is_kept(ui: KioskUI):
    await _to_calendar(ui, "ja-easy", "tennis_court", "tennis-b")
    await ui.tap_id("day-2026-11-28")
    # Courts take at most 2 hours a booking (units.toml); choose 3.
    for slot in ("slot-0900", "slot-1000", "slot-1100"):
        await ui.tap_id(slot)
        await expect(ui.by_id(slot)).to_contain_text("✓")
    await ui.tap("つぎへ", exact=True)
    await expect(ui.by_id("notices")).to_have_text("1かいに よやく できるのは 2つ までです。")
    await ui.screenshot("too-many-slots")
    # Still on the time screen with all three chosen: nothing lost, one to take back.
    await expect(ui.by_id("selection")).to_have_text("3つ えらびました。")
    await ui.tap_id("slot-1100")
    await expect(ui.by_id("selection")).to_have_text("2つ えらびました。")
    await ui.tap("つぎへ", exact=True)
    await ui.expect_title("あなたの ことを しらせる ほうほうを えらんで ください")


async def test_non_resident_window_shown_with_dates_in_japanese_then_resident_books(ui: KioskUI):
    # 2027-02-06 is 73 days ahead: open for residents (90 days), not yet for others (60).
    await _to_calendar(ui, "ja", "meeting_room", "chuo-meeting-2")
    for month in ("2026年12月", "2027年1月", "2027年2月"):
        await ui.tap_id("month-next")
        await expect(ui.by_id("month")).to_have_text(month)
    await ui.tap_id("day-2027-02-06")
    await ui.tap("午前")
    # as a person would, go on once the choice shows: on a loaded machine a tap on
    # "next" while the screen was still redrawing the choice was lost (CI, load ~8)
    await expect(ui.by_id("selection")).to_have_text("1件選んでいます。")
    await ui.tap_id("next")
    await ui.tap_id("identify-guest")

    await ui.tap_id("next")  # nothing typed yet: the name screen says what is missing
    await ui.wait_for_id("notices")
    assert "名前を入力してください。" in await ui.notices()
    await ui.screenshot("name-missing")
    await ui.fill("名前", "佐藤 一郎")
    await ui.tap_id("next")
    await ui.expect_title("電話番号は何番ですか？")
    await ui.fill("電話番号", "090-1111")
    await ui.tap_id("next")  # too short: the phone screen says so and keeps it
    await ui.wait_for_id("notices")
    assert "電話番号を10桁か11桁で入力してください。" in await ui.notices()
    await ui.screenshot("phone-mistake")
    await ui.fill("電話番号", "０９０－１１１１－２２２２")  # full-width, as a Japanese IME types
    await ui.tap_id("next")
    await ui.expect_title("みどり市にお住まいですか？")
    await ui.tap("いいえ", exact=True)  # the answer goes on by itself
    await ui.expect_title("予約内容の確認")
    await expect(ui.by_id("notices")).to_have_text(
        "2月6日(土)の予約はまだ受け付けていません。12月8日(火)から予約できます。")
    await ui.screenshot("window-not-open")

    # Back to the question, which shows the answer given (nothing typed again here); a
    # resident may book that day already.
    await ui.tap_id("back")
    await ui.expect_title("みどり市にお住まいですか？")
    await expect(ui.by_id("resident-no")).to_contain_text("✓")
    await ui.screenshot("answer-kept")
    await ui.tap("はい", exact=True)
    await ui.expect_title("予約内容の確認")
    await expect(ui.by_id("notices")).to_have_count(0)
    shown = await ui.text()
    assert "佐藤 一郎" in shown and "市民料金" in shown
    await ui.tap_id("book")
    await ui.expect_title("仮予約です")  # this module's kiosk is offline: provisional


def _fully_booked_hall(data_dir: Path) -> None:
    """Other kiosks booked every block of the hall on 28 November (as the sync feed says)."""
    cache = Cache.open(data_dir / "kiosk.sqlite")
    cache.load_city(load_city(sample_city_dir()))
    day = datetime(2026, 11, 28)
    cache.apply_changes([
        BusyChange("chuo-hall", day.replace(hour=a), day.replace(hour=b),
                   BookingStatus.CONFIRMED, f"other-{a}")
        for a, b in ((9, 12), (13, 17), (18, 21))
    ], cursor="1")
    cache.close()


async def test_a_full_day_says_full_and_cannot_be_chosen(start_kiosk, new_ui):
    server = start_kiosk(prepare=_fully_booked_hall)
    ui = await new_ui(server.url)
    await _to_calendar(ui, "en", "hall", "chuo-hall")
    full = ui.by_id("day-2026-11-28")
    await expect(full).to_have_accessible_name("Sat, Nov 28: Full")
    await expect(full).to_have_attribute("aria-disabled", "true")
    await expect(ui.by_id("day-2026-11-27")).to_have_accessible_name("Fri, Nov 27: 3 of 3 free")
    await ui.screenshot("full-day")
    await full.click(force=True)  # a tap on it does nothing
    await ui.page.wait_for_timeout(300)
    assert await ui.title() == "Choose a day"

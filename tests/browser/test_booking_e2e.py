"""A resident books a unit by tapping through every screen, in Japanese and in English.

Each screen is asserted by what it says and saved as a screenshot artifact. The two
languages book different units so they share the module's kiosk without interfering.
The booking is for a disability group (減免 100%): with nothing to pay, the central
server confirms it and the done screen follows the confirmation directly (a fee to pay
goes through the payment screens, tested with payments).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

import pytest
from playwright.async_api import expect

from .ui import KioskUI


@pytest.fixture(scope="module")
def kiosk_env(central):
    """Online: the central server confirms each booking while the person waits."""
    return central.kiosk_env


@dataclass(frozen=True)
class Script:
    """What a person taps and reads in one language."""

    lang: str
    unit: str
    day: str  # ISO date, a Saturday in the booking window
    titles: dict[str, str]
    texts: dict[str, str]


JA = Script(
    lang="日本語", unit="chuo-hall", day="2026-11-28",
    titles={
        "home": "ご用件を選んでください", "category": "どの種類の施設を使いますか？",
        "unit": "施設を選んでください", "calendar": "日にちを選んでください",
        "time_blocks": "時間を選んでください", "identify": "本人確認の方法を選んでください",
        "guest_name": "お名前は何ですか？", "guest_phone": "電話番号は何番ですか？",
        "guest_residency": "みどり市にお住まいですか？", "confirm": "予約内容の確認",
        "done": "予約を受け付けました",
    },
    texts={
        "task": "施設を予約する", "category": "ホール", "unit": "ホール",
        "month": "2026年11月", "day_free": "11月28日(土)：空き 3/3",
        "morning": "午前", "afternoon": "午後", "selected1": "1件選んでいます。", "selected": "2件選んでいます。",
        "identify": "名前と電話番号を入力する", "name_label": "名前",
        "phone_label": "電話番号", "yes": "はい", "next": "次へ",
        "name": "山田 花子", "phone": "090-1234-5678",
        "fee_title": "利用料金", "total": "合計", "total_yen": "￥7,000",
        "fee_lines": ["使用料（午前）", "使用料（午後）"], "reduction": "障害者団体の活動",
        "reduction_line": "減免（障害者団体の活動 100%）", "zero": "￥0",
        "rate": "市民料金", "book": "予約する", "code_label": "予約番号",
        "qr_label": "予約番号のQRコード",
        "back": "戻る", "start_over": "最初から",
    },
)
EN = Script(
    lang="English", unit="chuo-meeting-1", day="2026-11-28",
    titles={
        "home": "What would you like to do?", "category": "What kind of place do you need?",
        "unit": "Choose a place", "calendar": "Choose a day", "time_blocks": "Choose the time",
        "identify": "How will you identify yourself?",
        "guest_name": "What is your name?", "guest_phone": "What is your phone number?",
        "guest_residency": "Do you live in Midori City?", "confirm": "Check your booking",
        "done": "Your booking is done",
    },
    texts={
        "task": "Book a room or court", "category": "Meeting rooms", "unit": "Meeting Room 1",
        "month": "November 2026", "day_free": "Sat, Nov 28: 3 of 3 free",
        "morning": "Morning", "afternoon": "Afternoon", "selected1": "You chose 1 time(s).",
        "selected": "You chose 2 time(s).",
        "identify": "Enter my name and phone number", "name_label": "Name",
        "phone_label": "Phone number", "yes": "Yes", "next": "Next",
        "name": "Alex Morgan", "phone": "0312345678",
        "fee_title": "Fee", "total": "Total", "total_yen": "¥1,400",
        "fee_lines": ["Usage fee (Morning)", "Usage fee (Afternoon)"],
        "reduction": "Activities of disability groups",
        "reduction_line": "Fee reduction (Activities of disability groups 100%)", "zero": "¥0",
        "rate": "Resident rate", "book": "Book it", "code_label": "Your booking number",
        "qr_label": "QR code of your booking number",
        "back": "Back", "start_over": "Start over",
    },
)


async def _chrome_ok(ui: KioskUI, s: Script, *, back: bool = True) -> None:
    """Every screen after the language screen offers back and start over."""
    if back:
        await expect(ui.by_id("back")).to_have_text(s.texts["back"])
    await expect(ui.by_id("start_over")).to_have_text(s.texts["start_over"])


async def _screen(ui: KioskUI, s: Script, name: str, *, back: bool = True) -> None:
    await ui.expect_title(s.titles[name])
    await _chrome_ok(ui, s, back=back)
    await ui.screenshot(name)


@pytest.mark.parametrize("s", [JA, EN], ids=["ja", "en"])
async def test_book_a_unit_by_tapping_every_screen(ui: KioskUI, kiosk, s: Script):
    t = s.texts
    await ui.expect_title("言語を選んでください / Choose your language")
    await ui.screenshot("language")
    await ui.tap(s.lang, exact=True)

    await _screen(ui, s, "home")
    await ui.tap(t["task"])

    await _screen(ui, s, "category")
    await ui.tap(t["category"], exact=True)

    await _screen(ui, s, "unit")
    await ui.tap_id(f"unit-{s.unit}")

    await _screen(ui, s, "calendar")
    await expect(ui.by_id("month")).to_have_text(t["month"])
    await expect(ui.by_id(f"day-{s.day}")).to_have_accessible_name(t["day_free"])
    await ui.tap_id(f"day-{s.day}")

    await _screen(ui, s, "time_blocks")
    await ui.tap(t["morning"])
    await expect(ui.by_id("selection")).to_have_text(t["selected1"])
    await ui.tap(t["afternoon"])
    await expect(ui.by_id("selection")).to_have_text(t["selected"])
    await ui.screenshot("time_blocks-chosen")
    await ui.tap_id("next")

    await _screen(ui, s, "identify")
    await ui.tap(t["identify"])

    await _screen(ui, s, "guest_name")  # one question per screen
    await ui.fill(t["name_label"], t["name"])
    await ui.screenshot("guest_name-filled")
    await ui.tap(t["next"], exact=True)
    await _screen(ui, s, "guest_phone")
    await ui.fill(t["phone_label"], t["phone"])
    await ui.tap(t["next"], exact=True)
    await _screen(ui, s, "guest_residency")
    await ui.tap(t["yes"], exact=True)  # the answer goes on by itself

    await _screen(ui, s, "confirm")
    text = await ui.text()
    for expected in (t["fee_title"], t["name"], t["rate"], t["morning"], t["afternoon"],
                     *t["fee_lines"]):
        assert expected in text
    await expect(ui.by_id("total")).to_contain_text(t["total_yen"])
    await ui.tap(t["reduction"])  # the fee reduction, itemised as a line of its own
    await expect(ui.by_id("total")).to_contain_text(t["zero"])
    assert t["reduction_line"] in await ui.text()
    await ui.screenshot("confirm-reduction")
    await ui.tap(t["book"], exact=True)

    await _screen(ui, s, "done", back=False)
    await expect(ui.by_id("booking-code")).to_have_text(
        re.compile(re.escape(t["code_label"]) + r": [2-9A-Z]{3}-[2-9A-Z]{3}$"))
    code = (await ui.by_id("booking-code").inner_text()).split()[-1]
    await expect(ui.page.get_by_role("img", name=t["qr_label"])).to_have_count(1)
    assert t["zero"] in await ui.text()
    assert await ui.by_id("finish").count() == 1

    # The code on screen is the booking the kiosk recorded in its SQLite cache.
    row = _booking_row(kiosk.data_dir / "kiosk.sqlite", code)
    assert row["unit_id"] == s.unit and row["total_yen"] == 0
    assert row["residency"] == "resident" and json.loads(row["contact"])["name"] == t["name"]
    assert row["status"] == "confirmed"  # by the central server, before the done screen


def _booking_row(path, code: str) -> sqlite3.Row:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        row = db.execute("SELECT * FROM local_bookings WHERE code = ?", (code,)).fetchone()
    finally:
        db.close()
    assert row is not None, f"booking {code} is not in the kiosk's cache"
    return row

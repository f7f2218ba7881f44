"""Text size and colours in real Chromium: changed mid-form without losing anything,
drawn as chosen (pixels), every screen of a booking checked at large text, and gone with
the session so the next person starts at the standard size and colours."""

from __future__ import annotations

import struct
import zlib

import pytest
from playwright.async_api import expect

from kiosk.flow.display import TEXT_GROWTH, TextSize
from kiosk.ui.palette import HIGH_CONTRAST, STANDARD

from .a11y_checks import screen_problems
from .ui import KioskUI
from .walk import close_display, footer_share, set_display, walk_booking

LARGE = TEXT_GROWTH[TextSize.LARGE]
XL = TEXT_GROWTH[TextSize.EXTRA_LARGE]


@pytest.fixture(scope="module")
def kiosk_env(central):
    return central.kiosk_env


async def pixel(ui: KioskUI, x: int, y: int) -> str:
    """The colour Chromium painted at (x, y), as #RRGGBB (a 1x1 PNG: any row filter of
    a single pixel leaves its bytes as they are)."""
    png = await ui.page.screenshot(clip={"x": x, "y": y, "width": 1, "height": 1})
    pos, idat = 8, b""
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            idat += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    r, g, b = zlib.decompress(idat)[1:4]
    return f"#{r:02X}{g:02X}{b:02X}"


async def title_height(ui: KioskUI) -> float:
    return (await ui.by_id("title").bounding_box())["height"]


async def test_text_size_and_colours_keep_the_persons_place(ui: KioskUI):
    await ui.stable_screenshot()
    assert await pixel(ui, 5, 5) == STANDARD.PAPER
    standard_title = await title_height(ui)
    for step in ("lang-en", "task-book", "category-meeting_room", "unit-chuo-meeting-1",
                 "day-2026-11-28", "slot-0900"):
        await ui.tap_id(step)
    await expect(ui.by_id("slot-0900")).to_contain_text("✓")
    await ui.tap_id("next")
    await ui.tap_id("identify-guest")
    await ui.fill("Name", "Hanako Yamada")

    # Mid-answer: larger text and high contrast, then close the panel.
    await set_display(ui, "large", "high")
    await ui.screenshot("panel-large-high-contrast")
    assert not await screen_problems(ui, "display panel", "en", LARGE)
    await close_display(ui)

    # The same screen, the typed name; larger and light on black.
    await ui.expect_title("What is your name?")
    await ui.textbox("Name").click()  # Flutter puts a field's value in the DOM once focused
    await expect(ui.textbox("Name")).to_have_value("Hanako Yamada")
    await ui.screenshot("guest-name-large-high-contrast")
    assert await pixel(ui, 5, 5) == HIGH_CONTRAST.PAPER
    assert not await screen_problems(ui, "guest_name", "en", LARGE)

    # Extra large on the next screens, then back: every answer and the time are kept.
    await ui.tap_id("next")
    await ui.fill("Phone number", "0311112222")
    await ui.tap_id("next")
    await ui.tap_id("resident-yes")
    await ui.expect_title("Check your booking")
    await set_display(ui, "xl")
    await close_display(ui)
    assert await title_height(ui) > 1.5 * standard_title
    assert not await screen_problems(ui, "confirm", "en", XL)
    await ui.tap_id("back")
    await ui.expect_title("Do you live in Midori City?")
    await expect(ui.by_id("resident-yes")).to_contain_text("✓")
    await ui.tap_id("back")
    await ui.expect_title("What is your phone number?")
    await ui.textbox("Phone number").click()
    await expect(ui.textbox("Phone number")).to_have_value("0311112222")
    for title in ("What is your name?", "How will you identify yourself?", "Choose the time"):
        await ui.tap_id("back")
        await ui.expect_title(title)
    await expect(ui.by_id("slot-0900")).to_contain_text("✓")

    # Start over (at larger text in "settings and help") wipes the session: the next
    # person gets the standard look.
    await ui.tap_id("display-settings")
    await ui.wait_for_id("display-panel")
    await ui.tap_id("start_over")
    await ui.expect_title("言語を選んでください / Choose your language")
    await ui.stable_screenshot()
    assert await pixel(ui, 5, 5) == STANDARD.PAPER
    assert await title_height(ui) == pytest.approx(standard_title, abs=1)
    await ui.tap_id("display-settings")
    await expect(ui.by_id("text-size-standard")).to_contain_text("✓")
    await expect(ui.by_id("contrast-standard")).to_contain_text("✓")


async def test_every_screen_at_large_text_in_japanese(ui: KioskUI):
    problems: list[str] = []
    async for screen in walk_booking(ui, lang="ja", category="hall", unit="bunka-small-hall",
                                     day="2026-11-28", slots=["slot-0900"]):
        if screen == "language":
            await set_display(ui, "large")
            await close_display(ui)
        assert await ui.by_id("display-settings").count() == 1, f"{screen}: no settings button"
        problems += await screen_problems(ui, screen, "en" if screen == "language" else "ja", LARGE)
        await ui.screenshot(screen)
    assert not problems, "\n".join(problems)


async def test_every_screen_at_standard_size_high_contrast(ui: KioskUI):
    problems: list[str] = []
    async for screen in walk_booking(ui, lang="vi", category="tennis_court", unit="tennis-c",
                                     day="2026-11-28", slots=["slot-1000"]):
        if screen == "language":
            await set_display(ui, "standard", "high")
            await close_display(ui)
        problems += await screen_problems(ui, screen, "en" if screen == "language" else "vi", 0)
        await ui.screenshot(screen)
    assert not problems, "\n".join(problems)


FOOTER_SHARE_AT_XL = 0.25  # the footer's most at extra large: the content gets the rest


@pytest.mark.parametrize("lang", ["en", "my"])  # short words; long words in a tall script
async def test_the_footer_is_compact_at_extra_large_text(lang: str, ui: KioskUI, artifacts):
    """At extra large text the footer is one row (back, "settings and help", the main
    action): measured on the screens of a booking, written to the artifacts."""
    shares: dict[str, float] = {}
    slot = {"en": "slot-1300", "my": "slot-1800"}[lang]
    async for screen in walk_booking(ui, lang=lang, category="meeting_room", unit="chuo-meeting-2",
                                     day="2026-11-28", slots=[slot], book=False):
        if screen == "language":
            await set_display(ui, "xl")
            await close_display(ui)
            continue
        await ui.stable_screenshot()
        shares[screen] = await footer_share(ui)
        if screen in ("time_blocks", "confirm"):
            await ui.screenshot(f"{screen}-xl")
    artifacts.path("footer-share", ".txt").write_text(
        "".join(f"{lang} {screen}: {share:.0%}\n" for screen, share in shares.items()))
    assert max(shares.values()) <= FOOTER_SHARE_AT_XL, shares

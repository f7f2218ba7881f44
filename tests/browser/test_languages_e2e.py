"""Every language in Chromium: the language screen names all fifteen in their own
scripts, and a booking in each language shows every screen without tofu.

Tofu is checked three ways on each settled screen (kiosk/tools/tofu.py): every character
the accessibility tree says is in a font the page serves for that language; no magenta
.notdef box in the screenshot; and once the language's fonts are in, Flutter never asks
for a fallback font. Screenshots go to test-artifacts/test_languages_e2e/.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from playwright.async_api import Browser

from kiosk.i18n import LANGUAGES
from kiosk.tools.tofu import uncovered
from kiosk.tools.tofu_watch import TofuWatch, magenta
from kiosk.ui import fonts

from .ui import KIOSK_VIEWPORT, TIMEOUT_MS, Artifacts, KioskUI
from .walk import walk_booking

FONT_WAIT_S = 20.0


async def open_watched(browser: Browser, url: str, artifacts: Artifacts) -> tuple[KioskUI, TofuWatch]:
    """A fresh session on the language screen, every request watched from the start."""
    context = await browser.new_context(viewport=KIOSK_VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    watch = TofuWatch(page)
    await page.goto(url)
    placeholder = page.locator("flt-semantics-placeholder")
    await placeholder.wait_for(state="attached")
    await placeholder.dispatch_event("click")
    ui = KioskUI(page, artifacts)
    await ui.wait_for_id("title")
    return ui, watch


async def fonts_in(watch: TofuWatch, code: str | None) -> None:
    """Wait until the page has fetched every font it serves for ``code``."""
    wanted = {path.name for path in fonts.served_files(code)}
    deadline = time.monotonic() + FONT_WAIT_S
    while not wanted <= set(watch.fonts_since(0)):
        assert time.monotonic() < deadline, f"fonts never fetched: {wanted - set(watch.fonts_since(0))}"
        await asyncio.sleep(0.05)


async def assert_no_tofu(ui: KioskUI, code: str | None, name: str, settle_s: float = 0.0) -> None:
    """No tofu on the screen. ``settle_s``: how long a screen may still show tofu right
    after its fonts were fetched (decoding and registering a script's font comes after
    the download; on a loaded 2-core machine that took seconds for Burmese). Tofu that
    outlasts it fails, so a glyph that is really missing still fails."""
    shot = await ui.stable_screenshot()
    deadline = time.monotonic() + settle_s
    while time.monotonic() < deadline and await magenta(ui.page, shot):
        await ui.page.wait_for_timeout(250)
        shot = await ui.stable_screenshot()
    if ui.artifacts is not None:
        ui.artifacts.path(name).write_bytes(shot)
    text = await ui.text()
    assert uncovered(text, fonts.served_files(code)) == set(), f"{name}: no glyph for these"
    assert await magenta(ui.page, shot) == 0, f"{name}: tofu boxes on screen"


async def test_the_language_screen_names_all_fifteen_without_tofu(browser, kiosk, artifacts):
    ui, watch = await open_watched(browser, kiosk.url, artifacts)
    try:
        for lang in LANGUAGES:
            node = await ui.wait_for_id(f"lang-{lang.code}")
            assert (await node.inner_text()).strip() == lang.native_name
        assert len(LANGUAGES) == 15
        await fonts_in(watch, None)
        await assert_no_tofu(ui, None, "language-screen")
        # Its own tiny fonts, then the ones every language needs: nothing of any script yet.
        served = {path.name for path in fonts.served_files(None)} | {
            path.rsplit("/", 1)[-1] for path in fonts.prefetch_fonts().values()}
        assert set(watch.fonts_since(0)) <= served
    finally:
        await ui.page.context.close()


@pytest.mark.parametrize("code", [lang.code for lang in LANGUAGES])
async def test_a_booking_in_each_language_shows_no_tofu(browser, start_kiosk, artifacts, code):
    # A kiosk of its own: one guest may hold only so many bookings at a time.
    ui, watch = await open_watched(browser, start_kiosk().url, artifacts)
    settled = 0
    try:
        # A hall: its blocks carry the staff's Japanese names (午前) on other-language screens.
        async for screen in walk_booking(ui, lang=code, category="hall", unit="chuo-hall",
                                         day="2026-11-28", slots=["slot-0900"]):
            if screen == "language":
                continue
            settle_s = 0.0
            if screen == "home":
                await fonts_in(watch, code)
                settle_s = FONT_WAIT_S
            await assert_no_tofu(ui, code, f"{code}-{screen}", settle_s)
            if screen == "home":
                settled = watch.mark()
        # With the language's fonts in, no screen made Flutter look for a glyph elsewhere.
        assert watch.fallbacks_since(settled) == []
        served = {path.name for path in fonts.served_files(code)}
        assert set(watch.fonts_since(0)) <= served  # only this language's fonts were fetched
    finally:
        await ui.page.context.close()

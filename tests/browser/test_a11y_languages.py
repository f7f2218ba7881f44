"""A booking with payment in each of the 15 languages at extra-large text, every screen
checked on the way (tests/browser/a11y_checks.py): nothing runs off the screen or needs
sideways scrolling, no text is cut or overlaps, every target is at least 48 px with
room around it, every control has an accessible name in the screen's language. The
customer pays on the payment simulator's customer page, as in test_payments.py.

One kiosk, central server and payment simulator for the module; each language books
its own hour of a tennis court, as its own guest. The taps a person makes are counted
(``KioskUI.taps``) and written to the test's artifacts.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from kiosk.flow.display import TEXT_GROWTH, TextSize
from kiosk.i18n import LANGUAGES
from payments.stack import PayStack

from .a11y_checks import screen_problems
from .server import CLOCK_START
from .ui import KioskUI
from .walk import close_display, set_display, walk_booking

XL = TEXT_GROWTH[TextSize.EXTRA_LARGE]
CODES = [lang.code for lang in LANGUAGES]
DAY = "2026-11-28"  # a Saturday, three days after the test clock's start
# Language to receipt and finish, with a fee paid by app, as a guest: one question per
# screen (name, next, phone, next, yes) is one tap more than the one form it replaced.
TAP_BUDGET = 16
SCREENS = ["language", "home", "category", "unit", "calendar", "time_blocks", "identify",
           "guest_name", "guest_phone", "guest_residency", "confirm", "pay_choice", "paying", "receipt"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PayStack]:
    tmp = tmp_path_factory.mktemp("pay-stack")
    # The city clock of every browser test (DAY is three days after its start), not the
    # real date: a fixed day in the real calendar would fall into the past one day.
    s = PayStack(f"sqlite:///{tmp / 'server.sqlite'}", tmp,
                 server_env={"MADOGUCHI_CLOCK_START": CLOCK_START})
    yield s
    s.close()


@pytest.fixture(scope="module")
def kiosk_env(stack: PayStack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    token = tmp_path_factory.mktemp("kiosk-token") / "kiosk.token"
    token.write_text(stack.kiosk_token)
    return {"MADOGUCHI_SERVER_URL": stack.server.url, "MADOGUCHI_KIOSK_TOKEN_FILE": str(token)}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def customer(browser) -> AsyncIterator[Page]:
    """The customer's phone: one page for the module, on the simulator's list."""
    context = await browser.new_context(viewport={"width": 420, "height": 860}, locale="ja-JP")
    page = await context.new_page()
    yield page
    await context.close()


async def _countdown_keeps_the_scroll(ui: KioskUI) -> None:
    """At extra large the paying screen scrolls; its countdown ticks in place, so a
    person who scrolled down to "Stop paying" is not thrown back to the top each second."""
    countdown = ui.by_id("countdown")
    await ui.page.mouse.move(640, 500)
    await ui.page.mouse.wheel(0, 300)
    await ui.page.wait_for_timeout(300)
    box, words = await countdown.bounding_box(), await countdown.inner_text()
    await expect(countdown).not_to_have_text(words, timeout=5_000)  # a second went by
    await ui.page.wait_for_timeout(300)
    assert await countdown.bounding_box() == box, "the screen scrolled back as the countdown ticked"


def _slot(i: int) -> tuple[str, str]:
    return ("tennis-a" if i < 8 else "tennis-b"), f"slot-{9 + i % 8:02d}00"


@pytest.mark.parametrize("lang", CODES)
async def test_book_and_pay_at_extra_large_text(lang: str, ui: KioskUI, customer: Page,
                                                stack: PayStack, artifacts) -> None:
    started = time.monotonic()
    i = CODES.index(lang)
    unit, slot = _slot(i)

    async def pay() -> None:
        await customer.goto(stack.sim.url + "/")
        link = customer.locator("a.pay").last
        await link.wait_for(timeout=10_000)
        await link.click()
        await expect(customer.locator("#pay")).to_be_enabled(timeout=10_000)
        await customer.locator("#pay").click()
        await expect(customer.locator("#status")).to_contain_text("Paid")

    problems: list[str] = []
    seen: list[str] = []
    taps_from = 0
    async for screen in walk_booking(ui, lang=lang, category="tennis_court", unit=unit, day=DAY,
                                     slots=[slot], phone=f"03{55500000 + i:08d}", pay=pay):
        if screen == "language":
            await set_display(ui, "xl")
            problems += await screen_problems(ui, "display panel (language screen)", "en", XL)
            await close_display(ui)
            taps_from = ui.taps
        problems += await screen_problems(ui, screen, "en" if screen == "language" else lang, XL)
        if screen == "home":  # the panel itself, in the language, at extra large
            await ui.tap_id("display-settings")
            await ui.wait_for_id("display-panel")
            problems += await screen_problems(ui, "display panel", lang, XL)
            await close_display(ui)
            ui.taps -= 2  # looking at the panel is the test's, not part of booking
        if screen == "paying" and lang == "en":
            await _countdown_keeps_the_scroll(ui)
        if screen in ("guest_name", "receipt"):
            await ui.screenshot(screen)  # a sample to look at: a question, the end
        seen.append(screen)
    assert seen == SCREENS, seen
    await ui.tap_id("finish")
    await ui.wait_for_id(f"lang-{lang}")
    taps = ui.taps - taps_from
    artifacts.path("taps", ".txt").write_text(
        f"{lang}: {taps} taps from the language screen to the receipt and finish; "
        f"{time.monotonic() - started:.1f} s\n")
    assert not problems, "\n".join(problems)
    assert taps <= TAP_BUDGET, f"{taps} taps"

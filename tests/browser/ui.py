"""Drive the kiosk in Chromium through Flutter's accessibility tree (async Playwright).

Flutter paints on a canvas; once its semantics tree is on, every control the kiosk shows
has a DOM node: buttons by role and accessible name, text fields by label, and every
``ft.Semantics(identifier=...)`` (each flow ``Action.id``) as ``flt-semantics-identifier``.

    ui = await open_ui(browser, kiosk.url, artifacts)
    await ui.tap("English")                      # a button by its accessible name
    await ui.tap_id("task-book")                 # by the action's stable id
    await ui.expect_title("Choose what to book")
    await ui.fill("Name", "Hanako Yamada")
    await ui.screenshot("category")              # test-artifacts/<module>/<test>/03-category.png
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, Locator, Page, expect

CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
KIOSK_VIEWPORT = {"width": 1280, "height": 1024}  # the smallest kiosk screen we support
TIMEOUT_MS = 20_000
# The scrolling area a semantics node is in: Flutter gives it overflow hidden (or scroll).
SCROLL_PARENT_JS = """const scrollParent = (e) => {
    for (let p = e.parentElement; p; p = p.parentElement) {
        const o = p.style && p.style.overflowY;
        if (o === 'scroll' || o === 'hidden') return p;
    }
    return null;
};
"""


@dataclass(frozen=True)
class Box:
    name: str  # accessible name
    x: float
    y: float
    width: float
    height: float
    identifier: str = ""
    disabled: bool = False


class Artifacts:
    """Numbered screenshots of one test under $MADOGUCHI_TEST_ARTIFACTS/<module>/<test>/."""

    def __init__(self, root: Path, module: str, test: str) -> None:
        self.dir = Path(root) / _safe(module) / _safe(test)
        self.count = 0
        if self.dir.is_dir():  # a rerun replaces the last run's files, never mixes them
            for old in self.dir.iterdir():
                if old.is_file():
                    old.unlink()

    def path(self, name: str, suffix: str = ".png") -> Path:
        self.count += 1
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir / f"{self.count:02d}-{_safe(name)}{suffix}"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "x"


class KioskUI:
    def __init__(self, page: Page, artifacts: Artifacts | None = None) -> None:
        self.page = page
        self.artifacts = artifacts
        self.taps = 0  # every tap a person would make: buttons, and a text field to type in

    # -- finding -----------------------------------------------------------------------
    def by_id(self, identifier: str) -> Locator:
        """The node of ``ft.Semantics(identifier=...)``: every flow Action.id."""
        return self.page.locator(f'[flt-semantics-identifier="{identifier}"]')

    def button(self, name: str, *, exact: bool = False) -> Locator:
        return self.page.get_by_role("button", name=name, exact=exact)

    def textbox(self, label: str, *, exact: bool = False) -> Locator:
        return self.page.get_by_role("textbox", name=label, exact=exact)

    # -- acting --------------------------------------------------------------------------
    async def tap(self, name: str, *, exact: bool = False) -> None:
        """Click (a mouse tap) the one button with this accessible name."""
        await self.into_view(self.button(name, exact=exact))
        await self.button(name, exact=exact).click()
        self.taps += 1

    async def tap_id(self, identifier: str) -> None:
        await self.into_view(self.by_id(identifier))
        await self.by_id(identifier).click()
        self.taps += 1

    async def fill(self, field: str | Locator, value: str) -> None:
        """Type into a text field (by label, or a Locator) as a person would: tap it,
        then type. Flutter takes focus asynchronously and may reset a field's DOM value
        as it does, so the text is checked and typed again if it did not stick."""
        box = self.textbox(field) if isinstance(field, str) else field
        self.taps += 1  # a person taps the field once, then types
        for _attempt in range(3):
            await self.into_view(box)
            await box.click()
            await box.fill(value)
            try:
                await expect(box).to_have_value(value, timeout=2_000)
                # ... and still there a moment later: Flutter's late focus can reset it
                # after it first showed (seen on loaded machines: the name was lost).
                await self.page.wait_for_timeout(250)
                await expect(box).to_have_value(value, timeout=500)
                return
            except AssertionError:
                continue
        await expect(box).to_have_value(value, timeout=1)

    async def into_view(self, target: Locator, tries: int = 20) -> None:
        """Scroll a node into its scrolling area's view with the mouse wheel, as a
        person would swipe, and wait until Flutter has moved it there (a click on a node
        out of view lands on whatever is drawn there: at large text sizes much is below
        the fold)."""
        await target.first.wait_for(state="attached")
        for _ in range(tries):
            where = await target.first.evaluate("(e) => {" + SCROLL_PARENT_JS + """
                const p = scrollParent(e);
                if (!p) return null;
                const c = p.getBoundingClientRect(), r = e.getBoundingClientRect();
                if (r.top >= c.top - 1 && r.bottom <= c.bottom + 1) return null;
                return {x: c.x + c.width / 2, y: c.y + c.height / 2,
                        dy: (r.top + r.height / 2) - (c.top + c.height / 2)};
            }""")
            if where is None:
                return
            await self.page.mouse.move(where["x"], where["y"])
            await self.page.mouse.wheel(0, where["dy"])
            await self.page.wait_for_timeout(150)

    # -- reading -------------------------------------------------------------------------
    async def title(self) -> str:
        return (await self.by_id("title").inner_text()).strip()

    async def expect_title(self, title: str, timeout: float = TIMEOUT_MS) -> None:
        await expect(self.by_id("title")).to_have_text(title, timeout=timeout)

    async def wait_for_text(self, text: str, timeout: float = TIMEOUT_MS) -> Locator:
        """Wait until some node shows ``text`` (a substring); return the first."""
        found = self.page.get_by_text(text).first
        await found.wait_for(state="attached", timeout=timeout)
        return found

    async def wait_for_id(self, identifier: str, timeout: float = TIMEOUT_MS) -> Locator:
        node = self.by_id(identifier)
        await node.first.wait_for(state="attached", timeout=timeout)
        return node

    async def text(self) -> str:
        """Every text in the accessibility tree (what a screen reader could say)."""
        return await self.page.locator("flt-semantics-host").inner_text()

    async def notices(self) -> str:
        node = self.by_id("notices")
        return (await node.inner_text()).strip() if await node.count() else ""

    async def page_leftovers(self) -> str:
        """Everything of the page that could still hold a person's data: the whole DOM,
        the accessibility tree, and the values of every input element (Flutter keeps a
        real <input> for the focused text field)."""
        html = await self.page.content()
        values = await self.page.evaluate(
            "() => Array.from(document.querySelectorAll('input, textarea'))"
            ".map(e => e.value).join('\\n')")
        tree = await self.page.locator("body").aria_snapshot()
        return "\n".join([html, values, tree])

    async def buttons(self, *, visible_only: bool = True) -> list[Box]:
        """Every button on screen with its bounding box, in CSS pixels. With
        ``visible_only``, buttons cut by the edge of a scrolling area (their box is only
        the part in view) or scrolled out of it are left out."""
        found = await self.page.evaluate("(visibleOnly) => {" + SCROLL_PARENT_JS + """return Array.from(
            document.querySelectorAll('flt-semantics[role="button"]')).map(e => {
                const r = e.getBoundingClientRect();
                const id = e.closest('[flt-semantics-identifier]');
                const p = scrollParent(e), c = p && p.getBoundingClientRect();
                // Flutter clips a node's box to the scrolling area: touching its edge = cut
                const clipped = !!p && (r.top <= c.top + 1 || r.bottom >= c.bottom - 1 || r.height < 2);
                return {name: (e.getAttribute('aria-label') || e.innerText || '').trim(),
                        x: r.x, y: r.y, width: r.width, height: r.height,
                        identifier: id ? id.getAttribute('flt-semantics-identifier') : '',
                        disabled: e.getAttribute('aria-disabled') === 'true', clipped};
            }).filter(b => !(visibleOnly && b.clipped)).map(({clipped, ...b}) => b)}""",
            visible_only)
        return [Box(**b) for b in found]

    # -- screenshots ---------------------------------------------------------------------
    async def stable_screenshot(self, timeout_s: float = 6.0, interval_ms: int = 120) -> bytes:
        """A screenshot once the pixels stop changing. The accessibility tree updates
        before Flutter paints, so a screenshot right after a tap shows the old screen.
        A frame seen before also counts as settled (a blinking text cursor alternates
        between two frames forever)."""
        seen: set[str] = set()
        deadline = time.monotonic() + timeout_s
        while True:
            shot = await self.page.screenshot(animations="disabled", caret="hide")
            digest = hashlib.sha256(shot).hexdigest()
            if digest in seen or time.monotonic() > deadline:
                return shot
            seen.add(digest)
            await self.page.wait_for_timeout(interval_ms)

    async def screenshot(self, name: str) -> Path | None:
        """Save a settled screenshot as the test's next numbered artifact."""
        shot = await self.stable_screenshot()
        if self.artifacts is None:
            return None
        path = self.artifacts.path(name)
        path.write_bytes(shot)
        return path


async def open_ui(browser: Browser, url: str, artifacts: Artifacts | None = None, *,
                  viewport: dict | None = None, locale: str = "ja-JP") -> KioskUI:
    """A fresh browser context on the kiosk, with the accessibility tree turned on and
    the first screen ready. Close it with ``await ui.page.context.close()``."""
    context = await browser.new_context(viewport=viewport or KIOSK_VIEWPORT, locale=locale,
                                        timezone_id="Asia/Tokyo")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(url)
    placeholder = page.locator("flt-semantics-placeholder")
    await placeholder.wait_for(state="attached")
    await placeholder.dispatch_event("click")
    ui = KioskUI(page, artifacts)
    await ui.wait_for_id("title")
    return ui

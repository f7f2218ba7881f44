"""Every screen, measured in Chromium: target sizes, gaps, text sizes, nothing off screen.

Kiosk screens are 1280x1024 and 1920x1080 touch screens used by elderly people, often
with shaky fingers: every button at least 72x72 CSS px (48 is the floor for anything
tappable), at least 8 px between neighbours, no text under 24 px, and everything a
person needs on screen. Each screen is saved as a screenshot to look at.
"""

from __future__ import annotations

import functools
import itertools

import pytest

from .ui import Box, KioskUI
from .walk import walk_booking

MIN_TARGET = 72
FLOOR = 48
MIN_GAP = 8
# Text is set with a line height of 1.3 (kiosk.ui.theme): one line of 24 px type is a
# 31 px tall node in the accessibility tree, 22 px type 28.6 px. Lower means under 24 px.
MIN_TEXT_BOX = 30

WALKS = [
    # (language, viewport, online, category, unit, day, slots). Offline, screens carry
    # notes (availability "as of", provisional booking) and must still be usable.
    pytest.param("en", (1280, 1024), True, "tennis_court", "tennis-a", "2026-11-28",
                 ["slot-0900", "slot-1000"], id="en-1280x1024-hourly"),
    pytest.param("ja", (1920, 1080), True, "japanese_room", "chuo-washitsu", "2026-11-28",
                 ["slot-0900"], id="ja-1920x1080-blocks"),
    pytest.param("ja-easy", (1280, 1024), True, "meeting_room", "hokubu-meeting", "2026-11-28",
                 ["slot-1300"], id="ja_easy-1280x1024-blocks"),
    pytest.param("en", (1280, 1024), False, "hall", "bunka-small-hall", "2026-11-28",
                 ["slot-0900"], id="en-1280x1024-offline"),
]


@pytest.fixture(scope="module")
def kiosk_env(central):
    return central.kiosk_env


@functools.cache
def _font_chars(code: str | None) -> frozenset[int]:
    """Every character the fonts the page serves for language ``code`` draw (None: the
    language screen's own few); a missing one shows as a box (kiosk/tools/tofu.py)."""
    from kiosk.tools.tofu import coverage
    from kiosk.ui.fonts import served_files

    return coverage(served_files(code))


def _tofu(text: str, code: str | None) -> str:
    have = _font_chars(code)
    return "".join(sorted({ch for ch in text if ch not in "\n\t " and ord(ch) not in have}))


def _gap(a: Box, b: Box) -> float:
    """Distance between two rectangles (0 if they touch or overlap)."""
    dx = max(b.x - (a.x + a.width), a.x - (b.x + b.width), 0)
    dy = max(b.y - (a.y + a.height), a.y - (b.y + b.height), 0)
    return max(dx, dy)


async def _text_boxes(ui: KioskUI) -> list[dict]:
    """Leaf text nodes of the accessibility tree with their boxes (button labels are
    measured as buttons). A node cut by the edge of a scrolling area is left out: its
    box is only the part in view."""
    return await ui.page.evaluate("""() => Array.from(document.querySelectorAll('flt-semantics'))
        .filter(e => !e.querySelector('flt-semantics') && !e.getAttribute('role')
                     && e.innerText.trim() && !e.closest('[role=button]'))
        .map(e => {
            const r = e.getBoundingClientRect();
            let clipped = false;
            for (let p = e.parentElement; p; p = p.parentElement) {
                if (p.style && p.style.overflowY === 'scroll') {
                    const c = p.getBoundingClientRect();
                    clipped = r.top <= c.top + 1 || r.bottom >= c.bottom - 1;
                    break;
                }
            }
            return {text: e.innerText.trim(), x: r.x, y: r.y, width: r.width,
                    height: r.height, clipped};
        }).filter(t => !t.clipped)""")


async def _check_screen(ui: KioskUI, screen: str, width: int, height: int,
                        lang: str | None = None) -> list[str]:
    problems = []
    buttons = [b for b in await ui.buttons() if b.width and b.height]
    assert buttons, f"{screen}: no buttons found"
    for b in buttons:
        if b.width < FLOOR or b.height < FLOOR:
            problems.append(f"{screen}: {b.name!r} is {b.width:.0f}x{b.height:.0f}, under {FLOOR}")
        elif b.width < MIN_TARGET or b.height < MIN_TARGET:
            problems.append(f"{screen}: {b.name!r} is {b.width:.0f}x{b.height:.0f}, "
                            f"under {MIN_TARGET}")
    for a, b in itertools.combinations(buttons, 2):
        if _gap(a, b) < MIN_GAP:
            problems.append(f"{screen}: {a.name!r} and {b.name!r} are {_gap(a, b):.0f} px apart")
    on_screen = [b for b in buttons if b.y < height]
    for b in on_screen:
        if b.x + b.width > width + 1:
            problems.append(f"{screen}: {b.name!r} runs off the right edge")
    for b in buttons:
        if missing := _tofu(b.name, None if screen == "language" else lang):
            problems.append(f"{screen}: {b.name!r} has characters the font lacks: {missing!r}")
    for t in await _text_boxes(ui):
        if missing := _tofu(t["text"], None if screen == "language" else lang):
            problems.append(f"{screen}: {t['text']!r} has characters the font lacks: {missing!r}")
        if t["height"] < MIN_TEXT_BOX:
            problems.append(f"{screen}: text {t['text']!r} is {t['height']:.0f} px tall "
                            f"(under 24 px type)")
        if t["x"] + t["width"] > width + 1 and t["y"] < height:
            problems.append(f"{screen}: text {t['text']!r} runs off the right edge")
    if screen != "language":
        ids = {b.identifier for b in buttons}
        no_back = ("done", "pay_choice", "counter")  # booked: there is no going back
        if "start_over" not in ids or (screen not in no_back and "back" not in ids):
            problems.append(f"{screen}: back / start over missing")
        for nav in ("back", "start_over", "next", "book", "finish"):
            for b in buttons:
                if b.identifier == nav and b.y + b.height > height:
                    problems.append(f"{screen}: {nav} is below the screen's bottom edge")
    return problems


@pytest.mark.parametrize(("lang", "size", "online", "category", "unit", "day", "slots"), WALKS)
async def test_every_screen_has_large_targets_and_text(new_ui, kiosk, start_kiosk, lang, size,
                                                       online, category, unit, day, slots):
    width, height = size
    server = kiosk if online else start_kiosk()
    ui = await new_ui(server.url, viewport={"width": width, "height": height})
    problems: list[str] = []
    seen = []
    async for screen in walk_booking(ui, lang=lang, category=category, unit=unit, day=day,
                                     slots=slots):
        await ui.screenshot(screen)
        problems += await _check_screen(ui, screen, width, height, lang)
        seen.append(screen)
    # (the guest's name, phone and residency are three screens)
    assert seen[-1] == ("counter" if online else "done") and len(seen) == 12 + online
    assert not problems, "\n".join(problems)

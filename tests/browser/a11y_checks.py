"""Accessibility checks of the screen Chromium shows now, through its accessibility tree.

- ``unnamed_controls``: every button, text field, checkbox, switch... has an accessible
  name (Chromium's own computed names, from the Chrome DevTools Protocol's AX tree).
- ``untranslated``: no control is named in English on a screen in another language.
- ``layout_problems``: at the person's text size, nothing runs off the screen sideways
  or needs horizontal scrolling, no text is cut to less than a line or ends in an
  ellipsis, no two texts or buttons overlap, every tappable thing is at least 48 x 48
  CSS px with at least 8 px between neighbours.

Each returns a list of problems (empty: fine), so one walk reports all at once.
"""

from __future__ import annotations

import functools
import itertools
from pathlib import Path

from .ui import SCROLL_PARENT_JS, KioskUI

FLOOR = 48  # CSS px each way for anything tappable (twice WCAG 2.2's 24)
MIN_GAP = 8
LINE_HEIGHT = 1.3  # kiosk.ui.theme.LINE_HEIGHT
SMALLEST_TEXT = 24  # kiosk.ui.theme.DETAIL, before the person's text size adds to it
CONTROL_ROLES = {"button", "textbox", "checkbox", "radio", "switch", "slider", "link",
                 "combobox", "menuitem", "tab", "spinbutton", "searchbox", "listbox",
                 "option", "menuitemcheckbox", "menuitemradio", "togglebutton"}
REPO = Path(__file__).resolve().parents[2]

# Leaf texts and buttons with their boxes, and whether each is fully in view: a node cut
# by the edge of a scrolling area has a box only partly shown.
_NODES_JS = "() => {" + SCROLL_PARENT_JS + """
  const inView = (e, r) => {
    const p = scrollParent(e);
    if (!p) return true;
    const c = p.getBoundingClientRect();
    // Flutter clips a node's box to the scrolling area: one touching its edge is cut.
    return r.top > c.top + 1 && r.bottom < c.bottom - 1 && r.height >= 2;
  };
  const out = [];
  for (const e of document.querySelectorAll('flt-semantics')) {
    const button = e.getAttribute('role') === 'button';
    const leafText = !e.querySelector('flt-semantics') && !e.getAttribute('role')
                     && e.innerText.trim() && !e.closest('[role=button]');
    if (!button && !leafText) continue;
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const nested = button && !!e.parentElement.closest('[role=button]');
    out.push({kind: button ? 'button' : 'text', nested,
              name: (e.getAttribute('aria-label') || e.innerText || '').trim(),
              x: r.x, y: r.y, width: r.width, height: r.height, inView: inView(e, r)});
  }
  const sideways = Array.from(document.querySelectorAll('flt-semantics'))
      .filter(e => e.style && (e.style.overflowX === 'scroll' || e.style.overflowX === 'auto'))
      .length;
  return {nodes: out, sideways,
          scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
}"""


async def unnamed_controls(ui: KioskUI, screen: str) -> list[str]:
    """Every control in Chromium's accessibility tree that has no accessible name."""
    cdp = await ui.page.context.new_cdp_session(ui.page)
    try:
        await cdp.send("Accessibility.enable")
        tree = await cdp.send("Accessibility.getFullAXTree")
    finally:
        await cdp.detach()
    problems = []
    for node in tree["nodes"]:
        if node.get("ignored"):
            continue
        role = (node.get("role") or {}).get("value", "")
        name = str((node.get("name") or {}).get("value", "")).strip()
        if role in CONTROL_ROLES and not name:
            problems.append(f"{screen}: a {role} has no accessible name")
    return problems


async def control_names(ui: KioskUI) -> list[str]:
    return [b.name for b in await ui.buttons(visible_only=False)]


@functools.cache
def _english_only(lang: str) -> frozenset[str]:
    """English message ids that ``lang`` translates to something else: seeing one of
    them on a ``lang`` screen means a text escaped translation."""
    from kiosk.i18n import Translator

    t = Translator(lang)
    found = set()
    for message in _template():
        if not message.id or isinstance(message.id, tuple) or "{" in message.id:
            continue
        if t(message.id) != message.id:
            found.add(message.id)
    return frozenset(found)


def untranslated(names: list[str], lang: str, screen: str) -> list[str]:
    if lang == "en":
        return []
    english = _english_only(lang)
    return [f"{screen}: control named in English: {n!r}" for n in names
            if n.removeprefix("✓").strip() in english]


@functools.cache
def _messages(lang: str) -> frozenset[str]:
    """Every message of the catalog in ``lang`` ("Waiting for your payment…" ends in an
    ellipsis of its own: that is not text cut short)."""
    from kiosk.i18n import Translator

    t = Translator(lang)
    return frozenset(t(m.id) for m in _template() if m.id and not isinstance(m.id, tuple))


@functools.cache
def _template():
    from babel.messages.pofile import read_po

    with open(REPO / "locales" / "messages.pot", "rb") as f:
        return list(read_po(f))


async def layout_problems(ui: KioskUI, screen: str, growth: int, lang: str = "en") -> list[str]:
    """What a person at this text size (``growth`` px over standard) could not read or
    tap on the screen as it is now."""
    seen = await ui.page.evaluate(_NODES_JS)
    width = seen["innerWidth"]
    line = (SMALLEST_TEXT + growth) * LINE_HEIGHT - 2  # one line of the smallest text
    problems = []
    if seen["scrollWidth"] > width + 1 or seen["sideways"]:
        problems.append(f"{screen}: the page scrolls sideways")
    nodes = seen["nodes"]
    for n in nodes:
        what = f"{screen}: {n['kind']} {n['name'][:60]!r}"
        if n["x"] < -1 or n["x"] + n["width"] > width + 1:
            problems.append(f"{what} runs off the screen sideways "
                            f"({n['x']:.0f}..{n['x'] + n['width']:.0f} of {width})")
        if n.get("nested"):
            problems.append(f"{what} is a button inside a button (said twice)")
            continue
        if n["name"].endswith(("…", "...")) and n["name"] not in _messages(lang):
            problems.append(f"{what} is cut by an ellipsis")
        if not n["inView"]:
            continue
        if n["height"] < line:
            problems.append(f"{what} is {n['height']:.0f} px tall: cut, or under "
                            f"{SMALLEST_TEXT + growth} px type")
        if n["kind"] == "button" and (n["width"] < FLOOR or n["height"] < FLOOR):
            problems.append(f"{what} is {n['width']:.0f}x{n['height']:.0f}, under {FLOOR}")
    shown = [n for n in nodes if n["inView"] and not n.get("nested")]
    for a, b in itertools.combinations(shown, 2):
        dx = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
        dy = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
        if dx > 2 and dy > 2:
            problems.append(f"{screen}: {a['kind']} {a['name'][:40]!r} and {b['kind']} "
                            f"{b['name'][:40]!r} overlap")
        elif a["kind"] == b["kind"] == "button" and max(-dx, -dy) < MIN_GAP:
            problems.append(f"{screen}: buttons {a['name'][:40]!r} and {b['name'][:40]!r} "
                            f"are {max(-dx, -dy, 0):.0f} px apart")
    return problems


async def screen_problems(ui: KioskUI, screen: str, lang: str, growth: int) -> list[str]:
    """All three checks on the screen as it is now."""
    return [*await layout_problems(ui, screen, growth, lang), *await unnamed_controls(ui, screen),
            *untranslated(await control_names(ui), lang, screen)]

"""Large, high-contrast kiosk look, with the bundled offline fonts named everywhere.

A text style without ``font_family`` silently falls back to the browser's font (tofu for
Japanese offline), so every style built here goes through ``text_style``.
"""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path

import flet as ft

from kiosk.ui import fonts as kiosk_fonts
from kiosk.ui import palette as _palette

DEFAULT_FONT_LANGUAGE = "ja"  # the language screen: base fonts only
# BIZ UD PGothic: the proportional face of BIZ UD Gothic (the fixed-width one makes
# Latin text look like a terminal); universal-design shapes for kana and kanji.
FONT = "BIZUDPGothic"
FONT_BOLD = "BIZUDPGothicBold"
FONT_FILES = {FONT: "fonts/BIZUDPGothic-Regular.ttf", FONT_BOLD: "fonts/BIZUDPGothic-Bold.ttf"}

# Sizes in logical (CSS) pixels. No text below 24; touch targets at least 72 x 72 with
# GAP between neighbours, so a shaky finger does not hit the next one.
BODY = 26
DETAIL = 24  # the smallest text anywhere
TITLE = 40
HEADLINE = 32
BUTTON_TEXT = 28
INPUT = 30
FIELD_LABEL = 32  # Flutter floats a field's label at 3/4 of this: 24
TARGET = 80  # height of a one-line button
PRIMARY_WIDTH = 360  # the screen's main action, bottom right
NAV_WIDTH = 240  # back, start over
GAP = 24
LINE_HEIGHT = 1.3
PAGE_PADDING = 32

# Colour tokens: the chosen palette's (kiosk.ui.palette), copied in by ``use_display``
# at the start of every render. Read them as ``T.INK`` at call time, never as a default
# argument (that would freeze the standard palette).
INK = PAPER = PRIMARY = ON_PRIMARY = SELECTED = DISABLED_BG = DISABLED_INK = ""
NOTICE_BG = NOTICE_INK = LINE = CONFIRMED_BG = REJECTED_BG = REJECTED_INK = ""
HELPER_INK = HELPER_BG = PRACTICE_INK = PRACTICE_BG = PRACTICE_EDGE = ""

# The person's text size: every text grows by GROWTH px (0, 8 or 24: the smallest text
# is 24, 32 or 48 px), and layouts reflow when it is not 0 (``roomy``). Set per render,
# like the font state of ``speak``: rendering is synchronous on the page's event loop.
GROWTH = 0
CONTENT_WIDTH = 1280 - 2 * PAGE_PADDING  # the narrowest supported screen's content


def use_display(text_growth: int = 0, palette: str = "standard") -> None:
    """Draw what follows at this text size and in this palette (kiosk.flow.display)."""
    global GROWTH
    GROWTH = text_growth
    globals().update(_palette.PALETTES[palette].tokens())


def roomy() -> bool:
    """Larger text than standard: rows wrap, grids go to fewer columns, heights grow."""
    return GROWTH > 0


def wide(width: int) -> int:
    """A width that grows with the text (by the ratio of the smallest text's size), at
    most the narrowest screen's content width."""
    return min(round(width * (DETAIL + GROWTH) / DETAIL), CONTENT_WIDTH)


def grown(size: int) -> int:
    """A size (an icon, a box around text) grown with the text."""
    return round(size * (DETAIL + GROWTH) / DETAIL)


use_display()


def text_style(size: int = BODY, *, bold: bool = False, color: str | None = None) -> ft.TextStyle:
    # The family and its fallbacks follow the page's language (kiosk.ui.fonts): e.g.
    # Noto Sans SC, then BIZ UD PGothic for Chinese. Bold keeps fewer kanji than Regular
    # (see build_fonts): each bold chain falls back to Regular.
    # An explicit line height: the font's own leaves wrapped lines (two-line buttons)
    # touching each other.
    # ``size`` is the standard size; the person's text size adds GROWTH.
    family, fallback = kiosk_fonts.chain(bold=bold)
    return ft.TextStyle(size=size + GROWTH, font_family=family, color=color or INK,
                        font_family_fallback=fallback, height=LINE_HEIGHT)


def fonts(assets_dir: Path) -> dict[str, str]:
    """The page fonts that exist in ``assets_dir`` (built by kiosk.tools.build_fonts)."""
    return {name: path for name, path in FONT_FILES.items() if (assets_dir / path).is_file()}


def theme() -> ft.Theme:
    def style(size: int, bold: bool = False) -> ft.TextStyle:
        return text_style(size, bold=bold)

    return ft.Theme(
        font_family=kiosk_fonts.chain()[0],
        color_scheme_seed=PRIMARY,
        # Dialogs, fields and scroll bars in the palette's colours (high contrast: black).
        color_scheme=ft.ColorScheme(primary=PRIMARY, on_primary=ON_PRIMARY, surface=PAPER,
                                    on_surface=INK, surface_container_high=PAPER,
                                    surface_container_highest=PAPER, on_surface_variant=INK,
                                    outline=LINE),
        dialog_theme=ft.DialogTheme(bgcolor=PAPER),
        text_theme=ft.TextTheme(
            display_large=style(56, True), display_medium=style(48, True),
            display_small=style(44, True), headline_large=style(TITLE, True),
            headline_medium=style(HEADLINE, True), headline_small=style(30, True),
            title_large=style(30, True), title_medium=style(BODY, True),
            title_small=style(DETAIL, True), body_large=style(BODY), body_medium=style(BODY),
            body_small=style(DETAIL), label_large=style(BUTTON_TEXT, True),
            label_medium=style(DETAIL), label_small=style(DETAIL),
        ),
    )


# Pages whose background fetch of the common fonts is under way (by id: Page is unhashable).
_prefetching: weakref.WeakValueDictionary[int, ft.Page] = weakref.WeakValueDictionary()
PREFETCH_DELAY_S = 1.0  # after the language screen's first frame


def speak(page: ft.Page, code: str | None) -> None:
    """Draw what follows in ``code`` (None: the language screen, in every language at
    once): its fonts added to the page (never removed: the browser has them), its font
    chain for every text style, the theme to match."""
    kiosk_fonts.use(code or DEFAULT_FONT_LANGUAGE)
    wanted = kiosk_fonts.first_fonts() if code is None else kiosk_fonts.page_fonts(code)
    if not set(wanted) <= set(page.fonts or {}):
        page.fonts = {**(page.fonts or {}), **wanted}
    if code is None and id(page) not in _prefetching:
        _prefetching[id(page)] = page
        page.run_task(_prefetch, page)
    family, _ = kiosk_fonts.chain(code or DEFAULT_FONT_LANGUAGE)
    current = page.theme
    if (current is None or current.font_family != family or current.color_scheme is None
            or current.color_scheme.surface != PAPER
            or current.text_theme.body_large.size != BODY + GROWTH):
        page.theme = theme()
        page.dark_theme = theme()
    page.bgcolor = PAPER


async def _prefetch(page: ft.Page) -> None:
    # The language screen shows with its tiny fonts; the ones every language needs then
    # arrive while the person reads it, so the next screen is drawn at once.
    await asyncio.sleep(PREFETCH_DELAY_S)
    later = kiosk_fonts.prefetch_fonts()
    if not set(later) <= set(page.fonts or {}):
        page.fonts = {**(page.fonts or {}), **later}
        page.update()


def apply(page: ft.Page, assets_dir: Path) -> None:
    kiosk_fonts.use(DEFAULT_FONT_LANGUAGE)
    page.fonts = kiosk_fonts.first_fonts(assets_dir)  # the language screen's, bold only
    page.theme = theme()
    page.dark_theme = theme()
    page.theme_mode = ft.ThemeMode.LIGHT
    page.bgcolor = PAPER
    page.padding = PAGE_PADDING

"""The server link on screen: a small online/offline indicator and the offline notes.

Only lays out what ``kiosk.flow.offline`` decided; symbols carry the state alongside
colour (● online, ○ offline), so it reads without colour vision.
"""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import Chrome
from kiosk.ui import theme as T
from kiosk.ui.widgets import text

# (background, ink, icon). Material icons, not text symbols: the bundled font has no
# ⚠ or ✕, which would show as empty boxes.
# Token names, read at draw time: the palette is the person's (kiosk.ui.palette).
TONES = {
    "confirmed": ("CONFIRMED_BG", "SELECTED", ft.Icons.CHECK_CIRCLE_ROUNDED),
    "provisional": ("NOTICE_BG", "NOTICE_INK", ft.Icons.WARNING_ROUNDED),
    "rejected": ("REJECTED_BG", "REJECTED_INK", ft.Icons.CANCEL_ROUNDED),
    "cancelled": ("DISABLED_BG", "INK", ft.Icons.REMOVE_CIRCLE_ROUNDED),
}


def tone_colours(tone: str) -> tuple[str, str, str]:
    """(background, ink, icon) of a tone in the current palette."""
    bg, ink, icon = TONES.get(tone, TONES["provisional"])
    return getattr(T, bg), getattr(T, ink), icon


def indicator(chrome: Chrome) -> ft.Control | None:
    """Unobtrusive: one small line in the footer."""
    if chrome.online is None or not chrome.connection:
        return None
    symbol, colour = ("●", T.SELECTED) if chrome.online else ("○", T.NOTICE_INK)
    return ft.Semantics(
        identifier="connection", label=chrome.connection_detail, live_region=True,
        content=text(f"{symbol} {chrome.connection}", T.DETAIL, color=colour),
    )


def note(lines: tuple[str, ...], identifier: str = "availability-note",
         tone: str = "provisional") -> ft.Control | None:
    """A boxed note (the offline availability note, a booking's status)."""
    if not lines:
        return None
    bg, ink, icon = tone_colours(tone)
    body: list[ft.Control] = [ft.Row([ft.Icon(icon, color=ink, size=T.grown(34)),
                                      ft.Container(text(lines[0], T.BODY, bold=True, color=ink),
                                                   expand=True)],
                                     spacing=12, vertical_alignment=ft.CrossAxisAlignment.START)]
    body += [text(line, T.BODY, color=ink) for line in lines[1:]]
    return ft.Semantics(
        identifier=identifier, live_region=True,
        content=ft.Container(content=ft.Column(body, spacing=8), bgcolor=bg,
                             border=ft.Border.all(3, ink), border_radius=12, padding=20),
    )


def banner(lines: tuple[str, ...], detail: str = "", identifier: str = "availability-note") -> ft.Control | None:
    """The offline note of the calendar and time screens: one compact line (the first
    sentence bold), so the calendar below still fits; a screen reader hears ``detail``,
    the same note in full."""
    if not lines:
        return None
    bg, ink, icon = tone_colours("provisional")
    first, *rest = lines
    spans = [ft.TextSpan(first, T.text_style(T.BODY, bold=True, color=ink))]
    spans += [ft.TextSpan(f" {line}", T.text_style(T.BODY, color=ink)) for line in rest]
    line = ft.Row([ft.Icon(icon, color=ink, size=T.grown(30)), ft.Container(ft.Text(spans=spans), expand=True)],
                  spacing=10, vertical_alignment=ft.CrossAxisAlignment.START)
    return ft.Semantics(
        identifier=identifier, live_region=True, label=detail or " ".join(lines), exclude_semantics=True,
        content=ft.Container(content=line, bgcolor=bg, border=ft.Border.all(2, ink),
                             border_radius=10, padding=ft.Padding.symmetric(horizontal=16, vertical=8)),
    )

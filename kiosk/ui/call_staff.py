"""Call staff and helper view on every screen: lays out ``Chrome.assist``
(``kiosk.flow.assist_view.AssistChrome``); every decision is the flow's.

``frame()`` and the language screen call ``footer_row`` (the buttons, beside the help
line) and ``head`` (how the call stands; the helper's band in helper view). The page's
dialogs (error, "are you still there?") get ``dialog_button``.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from kiosk.flow.viewmodels import Chrome
from kiosk.ui import theme as T
from kiosk.ui.widgets import Runner, big_button, text

# The helper band's colours are palette tokens (T.HELPER_INK, T.HELPER_BG:
# kiosk/ui/palette.py), so high contrast changes them too.
# The footer's buttons are the smallest allowed target (72 px, theme.py), not the 80 px
# of a screen's own buttons: the footer grows by them and the calendar must still fit.
FOOTER_BUTTON = 72


def footer_row(chrome: Chrome, run: Runner, help_line: ft.Control | None,
               status: ft.Control | None = None) -> ft.Control | None:
    """The footer's last line: the help line, the link status, and "Call staff" (or
    "Cancel the call") and "Helper view" (in helper view: "Leave helper view")."""
    a = chrome.assist
    if a is None:  # as before assisted mode
        if status is None:
            return help_line
        return ft.Row([c for c in (help_line, status) if c is not None],
                      alignment=ft.MainAxisAlignment.SPACE_BETWEEN, wrap=True)
    if not chrome.help_text:  # helper view: staff are here
        help_line = None
    leave = a.helper.leave if a.helper is not None else None
    buttons = [big_button(action, run, primary=False, height=FOOTER_BUTTON)
               for action in (a.call or a.cancel, a.helper_entry or leave) if action is not None]
    return ft.Row([c for c in (help_line, status) if c is not None] + buttons, wrap=True,
                  spacing=T.GAP, run_spacing=12, vertical_alignment=ft.CrossAxisAlignment.CENTER)


def head(chrome: Chrome, run: Runner) -> list[ft.Control]:
    """Under the title: how the call stands (for the person), or in helper view the
    helper's band instead (staff are here; the call's button stays in the footer)."""
    a = chrome.assist
    if a is None:
        return []
    if a.helper is not None:
        return [helper_band(a.helper)]
    if not a.message:
        return []
    ink, bg = (T.NOTICE_INK, T.NOTICE_BG) if a.warning else (T.SELECTED, T.CONFIRMED_BG)
    icon = ft.Icons.WARNING_ROUNDED if a.warning else ft.Icons.SUPPORT_AGENT_ROUNDED
    return [ft.Semantics(identifier="call-status", live_region=True, content=ft.Container(
        ft.Row([ft.Icon(icon, color=ink, size=32),
                ft.Container(text(a.message, T.BODY, bold=True, color=ink), expand=True)],
               spacing=12, vertical_alignment=ft.CrossAxisAlignment.START),
        bgcolor=bg, border=ft.Border.all(3, ink), border_radius=12,
        padding=ft.Padding.symmetric(horizontal=16, vertical=6)))]


def helper_band(band) -> ft.Control:
    """Compact, so the screen's own content still fits: the mode and the Japanese title
    on one line, what to do here below, the Japanese notices after."""
    first = [ft.Semantics(identifier="helper-heading", content=text(
        band.heading.replace("\n", " / "), T.DETAIL, bold=True, color=T.HELPER_INK))]
    if band.title:
        first.append(ft.Semantics(identifier="helper-title", content=text(band.title, T.BODY, bold=True,
                                                                           color=T.HELPER_INK)))
    lines: list[ft.Control] = [
        ft.Row(first, spacing=T.GAP, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        ft.Semantics(identifier="helper-explanation", content=text(band.explanation, T.DETAIL, color=T.HELPER_INK)),
    ]
    lines += [ft.Semantics(identifier="helper-notice", content=text(f"！ {n}", T.DETAIL, bold=True,
                                                                    color=T.NOTICE_INK)) for n in band.notices]
    return ft.Semantics(identifier="helper-band", content=ft.Container(
        ft.Column(lines, spacing=2), bgcolor=T.HELPER_BG, border=ft.Border.all(3, T.HELPER_INK), border_radius=12,
        padding=ft.Padding.symmetric(horizontal=16, vertical=6)))


def dialog_button(kiosk_page, context: str, close: Callable[[], None]) -> ft.Control | None:
    """"Call staff" inside a dialog of the page (``context``: "error" or "timeout"):
    closes the dialog, then raises the call as the footer's button does."""
    from dataclasses import replace

    from kiosk.flow.assist import assist_of
    from kiosk.flow.assist_view import assist_chrome

    flow = kiosk_page.flow
    try:
        call = assist_chrome(flow).call
    except Exception:  # the dialog must show even if this part is broken
        return None
    if call is None:
        return None

    def tap(fn, _id) -> None:
        close()
        kiosk_page.run(lambda: assist_of(flow).call_staff(context), f"call-staff-{context}")

    return big_button(replace(call, id=f"call-staff-{context}"), tap, primary=False, width=320)

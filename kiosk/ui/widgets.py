"""Building blocks every screen uses: big buttons, the frame, notices.

Sizes come from ``kiosk.ui.theme``: no text under 24 px, every target at least 72 px
each way with a gap around it. ``tests/browser/test_ui_quality.py`` measures them.
"""

from __future__ import annotations

from collections.abc import Callable

import flet as ft

from kiosk.flow.viewmodels import Action, Chrome
from kiosk.ui import theme as T

# The page controller passes this in: runs an action inside the error boundary.
Runner = Callable[[Callable[[], None], str], None]


def on_tap(run: Runner, action: Action):
    """An async click handler: it runs on the event loop thread, like every other
    handler of the page, so the session and its SQLite cache see one thread only."""

    async def handler(e) -> None:
        run(action.run, action.id)

    return handler


def text(value: str, size: int = T.BODY, *, bold: bool = False, color: str | None = None,
         **kwargs) -> ft.Text:
    return ft.Text(value, style=T.text_style(size, bold=bold, color=color), **kwargs)


def big_button(action: Action, run: Runner, *, primary: bool = True, width: int | None = None,
               height: int = T.TARGET, size: int = T.BUTTON_TEXT, grow: bool = True) -> ft.Control:
    """A large button whose accessible name is its label (+ detail).

    One-line buttons are ``height`` tall; with a detail line the padding makes them
    taller than ``T.TARGET`` whatever the text wraps to. With larger text (``T.roomy``)
    the width grows with the text (``T.wide``; not with ``grow=False``: the compact
    footer's fixed shares) and the height is the text's own, so a label that wraps is
    never cut."""
    roomy = T.roomy()
    if width is not None and roomy and grow:
        width = T.wide(width)
    if not action.enabled:
        bg, fg = T.DISABLED_BG, T.DISABLED_INK
    elif action.selected:
        bg, fg = T.SELECTED, T.ON_PRIMARY
    elif primary:
        bg, fg = T.PRIMARY, T.ON_PRIMARY
    else:
        bg, fg = T.PAPER, T.PRIMARY
    label = f"{action.badge} {action.label}" if action.badge else action.label
    lines: list[ft.Control] = [text(label, size, bold=True, color=fg, text_align=ft.TextAlign.CENTER)]
    if action.detail:
        lines.append(text(action.detail, T.DETAIL, color=fg, text_align=ft.TextAlign.CENTER))
    if action.staff_label:  # the Japanese name staff know it by (午前), for a helper's eyes
        lines.append(text(action.staff_label, T.DETAIL, color=fg, text_align=ft.TextAlign.CENTER))
    return ft.Semantics(
        identifier=action.id,
        selected=action.selected if action.selected else None,
        content=ft.Button(
            content=ft.Column(lines, spacing=4, tight=True,
                              horizontal_alignment=ft.CrossAxisAlignment.CENTER),
            on_click=on_tap(run, action) if action.enabled else None,
            disabled=not action.enabled,
            width=width,
            style=ft.ButtonStyle(
                bgcolor=bg, color=fg,
                padding=ft.Padding.symmetric(horizontal=16,
                                             vertical=18 if action.detail or roomy else 10),
                shape=ft.RoundedRectangleBorder(radius=14),
                # Disabled: grey and a thin frame, not colour alone (as the calendar's days)
                side=ft.BorderSide(3, T.PRIMARY) if action.enabled else ft.BorderSide(1, T.LINE),
                text_style=T.text_style(size, bold=True, color=fg),
            ),
            height=None if action.detail or action.staff_label or roomy else height,
        ),
    )


def notice_box(messages: tuple[str, ...] | list[str], identifier: str = "notices") -> ft.Control | None:
    """Problems to fix before going on, in words and with a warning sign (not colour only)."""
    if not messages:
        return None
    rows = [
        ft.Row([ft.Icon(ft.Icons.WARNING_ROUNDED, color=T.NOTICE_INK, size=T.grown(34)),
                ft.Container(text(m, T.BODY, bold=True, color=T.NOTICE_INK), expand=True)],
               spacing=12, vertical_alignment=ft.CrossAxisAlignment.START)
        for m in messages
    ]
    return ft.Semantics(
        identifier=identifier,
        live_region=True,
        content=ft.Container(
            content=ft.Column(rows, spacing=10),
            bgcolor=T.NOTICE_BG,
            border=ft.Border.all(3, T.NOTICE_INK),
            border_radius=12,
            padding=ft.Padding.symmetric(horizontal=20, vertical=16),
        ),
    )


def notices(messages: tuple[str, ...]) -> ft.Control | None:
    return notice_box(messages)


def frame(chrome: Chrome, body: list[ft.Control], run: Runner, *,
          primary: ft.Control | None = None) -> ft.Control:
    """Step, title, notices and the body (scrolling if it must); along the bottom, always
    in the same place: back and start over on the left, the screen's main action
    (``primary``) on the right, and how to get help."""
    head: list[ft.Control] = []
    if chrome.step:
        head.append(ft.Semantics(identifier="step", content=text(chrome.step, T.DETAIL,
                                                                  color=T.DISABLED_INK)))
    head.append(ft.Semantics(header=True, identifier="title",
                             content=text(chrome.title, T.TITLE, bold=True)))
    from kiosk.ui import call_staff  # late: it builds on this module

    head += call_staff.head(chrome, run)  # the call's status; the helper's band
    note = notices(chrome.notices)
    if note is not None:  # larger text: at the top of the scrolling part, or no room is left
        body = [note, *body] if T.roomy() else body
        head += [] if T.roomy() else [note]
    from kiosk.ui.link_status import indicator  # late: it builds on this module

    status = indicator(chrome)
    help_line = text(chrome.help_text, T.DETAIL)
    if T.roomy():
        # Larger text: the heading, the help line and the link status scroll with the
        # body, and the footer is one compact row (back, "settings and help", call
        # staff, the main action), so the content keeps most of the screen even with a
        # four-line title in a long language. Call staff stays one tap away: the people
        # who choose the largest text are the ones most likely to need it. Start over
        # and helper view are in the panel that "settings and help" opens.
        return ft.Column(
            [
                ft.Column([ft.Column(head, spacing=8), *body, help_line, *([status] if status else [])],
                          spacing=T.GAP, scroll=ft.ScrollMode.AUTO, expand=True),
                ft.Divider(height=2, thickness=2, color=T.LINE),
                compact_footer(chrome, run, primary),
            ],
            spacing=16,
            expand=True,
        )
    nav: list[ft.Control] = []
    if chrome.back:
        nav.append(big_button(chrome.back, run, primary=False, width=T.NAV_WIDTH))
    if chrome.start_over:
        nav.append(big_button(chrome.start_over, run, primary=False, width=T.NAV_WIDTH))
    actions = ft.Row(
        [ft.Row(nav, spacing=T.GAP, wrap=True, expand=True), *([primary] if primary else [])],
        spacing=T.GAP * 2,
        vertical_alignment=ft.CrossAxisAlignment.END,
    )
    footer = ft.Column(
        [actions,
         call_staff.footer_row(chrome, run, help_line, status)],  # + call staff, helper view
        spacing=10,
    )
    from kiosk.ui.display_settings import with_button  # text size and colours, top right

    return ft.Column(
        [
            with_button(ft.Column(head, spacing=8), run),
            ft.Column(body, spacing=T.GAP, scroll=ft.ScrollMode.AUTO, expand=True),
            ft.Divider(height=2, thickness=2, color=T.LINE),
            footer,
        ],
        spacing=16,
        expand=True,
    )


# The compact footer's fixed shares of the narrowest screen's content width: back,
# "settings and help", call staff and the main action fit one row at any text size; a
# longer word wraps inside its button (taller, never cut) instead of pushing the row
# onto two.
FOOTER_SHARES = {"back": 0.18, "settings": 0.26, "call": 0.24, "primary": 0.26}


def compact_footer(chrome: Chrome, run: Runner, primary: ft.Control | None) -> ft.Control:
    from kiosk.ui.display_settings import compact_button, keep_for_panel

    keep_for_panel(chrome)  # start over, helper view: in the panel
    share = {name: round(T.CONTENT_WIDTH * part) for name, part in FOOTER_SHARES.items()}
    left: list[ft.Control] = []
    if chrome.back:
        left.append(big_button(chrome.back, run, primary=False, width=share["back"], grow=False))
    if (settings := compact_button(run, share["settings"])) is not None:
        left.append(settings)
    call = (chrome.assist.call or chrome.assist.cancel) if chrome.assist is not None else None
    if call is not None:
        left.append(big_button(call, run, primary=False, width=share["call"], grow=False))
    if primary is not None and isinstance(getattr(primary, "content", None), ft.Button):
        primary.content.width = share["primary"]  # the screen sized it for a line of its own
    return ft.Row(
        [ft.Row(left, spacing=T.GAP, run_spacing=T.GAP, wrap=True, expand=True),
         *([primary] if primary else [])],
        spacing=T.GAP, vertical_alignment=ft.CrossAxisAlignment.END,
    )


def choice_grid(options, run: Runner, *, width: int = 520, height: int = T.TARGET,
                size: int = T.BUTTON_TEXT) -> ft.Control:
    """Big choices that wrap into as many columns as fit (1 to 15+ options); with larger
    text the buttons grow wider, so fewer fit a row (one at extra large)."""
    return ft.Row([big_button(o, run, width=width, height=height, size=size) for o in options],
                  wrap=True, spacing=T.GAP, run_spacing=T.GAP)


FIELD_WIDTH = 720


def text_field(label: str, value: str, *, keyboard=ft.KeyboardType.TEXT, max_length: int,
               on_change, on_submit=None) -> ft.TextField:
    """A large text field whose label is its accessible name; what is typed goes to
    ``on_change`` as it is typed (the flow keeps it, so a redraw loses nothing)."""
    return ft.TextField(
        label=label,
        value=value,
        keyboard_type=keyboard,
        max_length=max_length,
        counter=ft.Container(),  # no "3/60" counter in small print; the flow checks length
        width=T.wide(FIELD_WIDTH) if T.roomy() else FIELD_WIDTH,
        text_style=T.text_style(T.INPUT),
        # Flutter shrinks a floating label to 3/4: 32 px in the box, 24 px above it.
        label_style=T.text_style(T.FIELD_LABEL, color=T.INK),
        border_width=3,
        border_color=T.INK,
        focused_border_width=4,
        focused_border_color=T.PRIMARY,
        content_padding=ft.Padding.symmetric(horizontal=20, vertical=24),
        autocorrect=False,
        enable_suggestions=False,
        on_change=on_change,
        on_submit=on_submit,
    )

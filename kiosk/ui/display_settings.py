"""Text size and colours on every screen: the button top right and its panel.

The page controller calls ``speak`` before it draws anything (a screen or a dialog):
the person's text size and palette go into ``kiosk.ui.theme`` for that render, and the
panel's view-model (``kiosk.flow.display``) is kept for ``with_button``, which
``widgets.frame`` and the language screen put around their heading. After drawing the
screen, ``sync`` shows, redraws or closes the panel: a choice redraws the screen under
it at once, on the same screen with the same choices and typed text.
"""

from __future__ import annotations

import flet as ft

from kiosk.flow.display import TEXT_GROWTH, DisplayPanel, display_panel
from kiosk.flow.states import State
from kiosk.ui import theme as T

_panel: DisplayPanel | None = None  # this render's (rendering is synchronous)
# This render's chrome, when the compact footer (larger text) moved start over and
# helper view into the panel.
_chrome_in_panel = None
OPEN_WIDTH = 230  # the button top right (grows with the text, wraps its label)
PANEL_WIDTH = 420


def speak(page: ft.Page, flow, code: str | None) -> None:
    """``theme.speak`` at the person's text size and colours."""
    global _panel, _chrome_in_panel
    _chrome_in_panel = None
    display = flow.session.display
    T.use_display(TEXT_GROWTH[display.text_size], display.contrast.value)
    _panel = display_panel(flow.session, flow.t, before_language=flow.state is State.LANGUAGE)
    T.speak(page, code)


def with_button(head: ft.Control, run) -> ft.Control:
    """``head`` (step and title) with the text size and colours button on its right."""
    if _panel is None:
        return head
    button = ft.Container(_open_button(_panel.open, run), padding=ft.Padding.only(left=T.GAP))
    return ft.Row([ft.Container(head, expand=True), button],
                  vertical_alignment=ft.CrossAxisAlignment.START)


def keep_for_panel(chrome) -> None:
    """The compact footer's screen: its start over and helper view go in
    the panel (``sync``)."""
    global _chrome_in_panel
    _chrome_in_panel = chrome


def compact_button(run, width: int) -> ft.Control | None:
    """"Settings and help" in the compact footer: its words, ``width`` wide
    (the words wrap inside it); it opens the panel, as the button top right does."""
    if _panel is None:
        return None
    from kiosk.ui.widgets import on_tap, text

    action = _panel.open_compact
    # Words only: an icon beside them took a fifth of the button and wrapped long
    # languages onto four lines, the footer's tallest button.
    label = text(action.label, T.BUTTON_TEXT, bold=True, color=T.PRIMARY,
                 text_align=ft.TextAlign.CENTER)
    return ft.Semantics(identifier=action.id, content=ft.Button(
        content=ft.Container(label, padding=ft.Padding.symmetric(vertical=10)),
        on_click=on_tap(run, action), width=width,
        style=ft.ButtonStyle(
            bgcolor=T.PAPER, color=T.PRIMARY, shape=ft.RoundedRectangleBorder(radius=14),
            side=ft.BorderSide(3, T.PRIMARY), padding=ft.Padding.symmetric(horizontal=16, vertical=8),
        ),
    ))


def _open_button(action, run) -> ft.Control:
    """An outlined button as tall as its label needs (it wraps to two or three lines in
    some languages), never under the 72 px target: no fixed height to cut it."""
    from kiosk.ui.widgets import on_tap, text

    return ft.Semantics(identifier=action.id, content=ft.Button(
        # A Stack is as tall as its tallest child: the label, or the target's floor.
        content=ft.Stack([ft.Container(height=T.TARGET),
                          ft.Container(text(action.label, T.DETAIL, bold=True, color=T.PRIMARY,
                                            text_align=ft.TextAlign.CENTER),
                                       padding=ft.Padding.symmetric(vertical=10))],
                         alignment=ft.Alignment.CENTER),
        on_click=on_tap(run, action), width=T.wide(OPEN_WIDTH),
        style=ft.ButtonStyle(
            bgcolor=T.PAPER, color=T.PRIMARY, shape=ft.RoundedRectangleBorder(radius=14),
            side=ft.BorderSide(3, T.PRIMARY),
            padding=ft.Padding.symmetric(horizontal=12, vertical=10),
        ),
    ))


def _content(panel: DisplayPanel, run) -> ft.Control:
    from kiosk.ui.widgets import big_button, text

    def group(title: str, choices) -> list[ft.Control]:
        return [ft.Semantics(header=True, content=text(title, T.HEADLINE, bold=True)),
                *[big_button(a, run, primary=False, width=PANEL_WIDTH) for a in choices]]

    # Padding below the last choice: it never sits against the Close button.
    return ft.Semantics(identifier="display-panel", content=ft.Container(ft.Column(
        [*group(panel.size_title, panel.sizes), *group(panel.contrast_title, panel.contrasts),
         *_moved_from_footer(panel, run)],
        spacing=T.GAP // 2, tight=True), padding=ft.Padding.only(bottom=T.GAP)))


def _moved_from_footer(panel: DisplayPanel, run) -> list[ft.Control]:
    """With the compact footer: helper view (or leave it) and start over, each closing
    the panel as it does its work (call staff stays in the footer row)."""
    chrome = _chrome_in_panel
    if chrome is None:
        return []
    from kiosk.ui.widgets import big_button

    a = chrome.assist
    actions = [chrome.start_over]
    if a is not None:
        leave = a.helper.leave if a.helper is not None else None
        actions = [a.helper_entry or leave, chrome.start_over]

    def closing(fn, action_id) -> None:
        def close_then(fn=fn):
            panel.settings.panel_open = False
            return fn()

        run(close_then, action_id)

    buttons = [big_button(action, closing, primary=False, width=PANEL_WIDTH)
               for action in actions if action is not None]
    return [ft.Divider(height=T.GAP, thickness=2, color=T.LINE), *buttons] if buttons else []


def sync(kiosk_page) -> None:
    """Show, redraw or close the panel to match the session."""
    from kiosk.ui.widgets import big_button, text

    dialog: ft.AlertDialog | None = getattr(kiosk_page, "display_dialog", None)
    panel = _panel
    if panel is None or not panel.settings.panel_open:
        if dialog is not None:
            kiosk_page.display_dialog = None
            dialog.open = False
            dialog.update()
        return
    # opened from the compact footer, it is named as its button: it holds more than display
    heading = panel.open_compact.label if _chrome_in_panel is not None else panel.title
    title = ft.Semantics(header=True, identifier="display-title",
                         content=text(heading, T.HEADLINE, bold=True))
    content = _content(panel, kiosk_page.run)
    actions = [big_button(panel.close, kiosk_page.run, width=PANEL_WIDTH // 2 + 40)]
    if dialog is None:
        # Room above Close: the scrolling choices never end right against it.
        dialog = ft.AlertDialog(modal=True, scrollable=True, bgcolor=T.PAPER, title=title,
                                content=content, actions=actions,
                                actions_padding=ft.Padding.only(left=24, right=24, top=T.GAP, bottom=24))
        kiosk_page.display_dialog = dialog
        kiosk_page.page.show_dialog(dialog)
        return
    dialog.title, dialog.content, dialog.actions, dialog.bgcolor = title, content, actions, T.PAPER
    dialog.update()

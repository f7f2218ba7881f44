"""Language screen: each language named in itself, in a grid that scales to 15+."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import ChoiceScreen
from kiosk.ui import call_staff
from kiosk.ui import theme as T
from kiosk.ui.display_settings import with_button
from kiosk.ui.widgets import choice_grid, text


def view(screen: ChoiceScreen, run, touch) -> ft.Control:
    return ft.Column(
        [
            with_button(ft.Semantics(header=True, identifier="title",
                                     content=text(screen.chrome.title, T.TITLE, bold=True)), run),
            *call_staff.head(screen.chrome, run),
            ft.Column([choice_grid(screen.options, run, width=360, height=104, size=T.HEADLINE)],
                      scroll=ft.ScrollMode.AUTO, expand=True),
            *[row for row in [call_staff.footer_row(screen.chrome, run, None)] if row is not None],
        ],
        spacing=32,
        expand=True,
    )

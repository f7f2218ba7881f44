"""Reading the card (and asking the city's server): a progress bar, no way to leave
half-way except start over."""

from __future__ import annotations

import flet as ft

from kiosk.flow.card_screens import CardReadingScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import frame, text


def view(screen: CardReadingScreen, run, touch) -> ft.Control:
    return frame(screen.chrome, [
        ft.Semantics(identifier="card-reading", live_region=True, label=screen.message,
                     content=text(screen.message, T.HEADLINE, bold=True)),
        ft.Semantics(identifier="card-progress", value=f"{round(screen.progress * 100)}%",
                     content=ft.ProgressBar(value=screen.progress, width=720, bar_height=24,
                                            color=T.PRIMARY, bgcolor=T.DISABLED_BG)),
    ], run)

""""Do you live in <city>?" (the title): yes or no, and a tap on one goes on."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import GuestResidencyScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text


def view(screen: GuestResidencyScreen, run, touch) -> ft.Control:
    answers = ft.Row([big_button(a, run, primary=False, width=240) for a in screen.options],
                     spacing=T.GAP * 2, run_spacing=T.GAP, wrap=True)
    return frame(screen.chrome, [answers, text(screen.note, T.BODY)], run)

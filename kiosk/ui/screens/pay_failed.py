"""The payment was not made: why, in plain words, and the two ways on."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import PayFailedScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import choice_grid, frame, text


def view(screen: PayFailedScreen, run, touch) -> ft.Control:
    message = ft.Semantics(identifier="pay-failed", live_region=True,
                           content=text(screen.message, T.HEADLINE, bold=True))
    return frame(screen.chrome, [message, choice_grid(screen.options, run, width=560)], run)

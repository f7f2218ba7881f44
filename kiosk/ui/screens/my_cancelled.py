"""My bookings: cancelled, and what happens to the money."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import MyCancelledScreen
from kiosk.ui import theme as T
from kiosk.ui.screens.confirm import summary_table
from kiosk.ui.widgets import big_button, frame, text


def view(screen: MyCancelledScreen, run, touch) -> ft.Control:
    message = ft.Semantics(identifier="cancel-outcome", live_region=True,
                           content=text(screen.message, T.HEADLINE, bold=True))
    return frame(screen.chrome, [summary_table(screen.summary), message,
                                 big_button(screen.finish, run, width=360)], run)

"""My bookings: the booking found, its status, what cancelling would refund, actions."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import MyBookingScreen
from kiosk.ui import theme as T
from kiosk.ui.screens.confirm import summary_table
from kiosk.ui.widgets import choice_grid, frame, text


def view(screen: MyBookingScreen, run, touch) -> ft.Control:
    body: list[ft.Control] = [summary_table(screen.summary)]
    if screen.note:
        body.append(ft.Semantics(identifier="refund-note", content=text(screen.note, T.BODY, bold=True)))
    body.append(choice_grid(screen.actions, run, width=560))
    return frame(screen.chrome, body, run)

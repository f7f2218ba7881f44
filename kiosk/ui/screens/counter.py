"""Pay at the counter: the booking numbers to show and the deadline."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import CounterScreen
from kiosk.ui import theme as T
from kiosk.ui.screens.confirm import summary_table
from kiosk.ui.widgets import big_button, frame, text


def view(screen: CounterScreen, run, touch) -> ft.Control:
    body: list[ft.Control] = [text(screen.message, T.HEADLINE, bold=True), summary_table(screen.bookings)]
    if screen.deadline:
        body.append(ft.Semantics(identifier="pay-deadline", content=text(screen.deadline, T.BODY, bold=True)))
    body.append(big_button(screen.finish, run, width=360))
    return frame(screen.chrome, body, run)

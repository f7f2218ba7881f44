"""Pay now by app, pay at the counter, or book another place and pay for all together."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import PayChoiceScreen
from kiosk.ui import theme as T
from kiosk.ui.screens.confirm import summary_table
from kiosk.ui.widgets import choice_grid, frame, notice_box, text


def total_row(label: str, amount: str) -> ft.Control:
    return ft.Semantics(identifier="amount", label=f"{label}: {amount}", content=ft.Row(
        [text(label, T.HEADLINE, bold=True), text(amount, 48, bold=True)], spacing=24, wrap=True,
        vertical_alignment=ft.CrossAxisAlignment.CENTER))


def view(screen: PayChoiceScreen, run, touch) -> ft.Control:
    body: list[ft.Control] = [text(screen.note, T.BODY, bold=True), summary_table(screen.bookings),
                              total_row(screen.total_label, screen.total)]
    if screen.unavailable:
        # notice_box: a Material warning icon (the bundled font has no ⚠: it drew a box)
        body.append(notice_box([screen.unavailable], identifier="pay-unavailable"))
    body.append(choice_grid(screen.options, run, width=620))
    return frame(screen.chrome, body, run)

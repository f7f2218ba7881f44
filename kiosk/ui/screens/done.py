"""Done: the booking number, large, and its QR code for check-in."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import DoneScreen
from kiosk.ui import theme as T
from kiosk.ui.link_status import note
from kiosk.ui.screens.confirm import summary_table
from kiosk.ui.widgets import big_button, frame, text


def view(screen: DoneScreen, run, touch) -> ft.Control:
    code = ft.Column(
        [
            text(screen.code_label, T.HEADLINE, bold=True),
            ft.Semantics(identifier="booking-code", label=f"{screen.code_label}: {screen.code}",
                         exclude_semantics=True,
                         content=text(screen.code, 64, bold=True, selectable=False)),
            text(screen.message, T.BODY),
        ],
        spacing=8,
        expand=not T.roomy(),  # beside the QR code; under it with larger text
    )
    qr = ft.Semantics(identifier="booking-qr", label=screen.qr_label, image=True,
                      exclude_semantics=True,
                      content=ft.Container(ft.Image(src=screen.qr_png, width=240, height=240),
                                           border=ft.Border.all(2, T.LINE), padding=8))
    body: list[ft.Control] = [ft.Column([code, qr], spacing=T.GAP) if T.roomy() else
                              ft.Row([code, qr], spacing=48, vertical_alignment=ft.CrossAxisAlignment.START)]
    status = note(screen.status_lines, "booking-status", screen.tone)
    if status is not None:  # provisional, or settled while the person is still here
        body.insert(0, status)
    body.append(summary_table(screen.summary))
    return frame(screen.chrome, body, run,
                 primary=big_button(screen.finish, run, width=T.PRIMARY_WIDTH))

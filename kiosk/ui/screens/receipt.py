"""The receipt on screen: per booking its number and the QR code of its signed token;
print it; finish."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import ReceiptScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text


def view(screen: ReceiptScreen, run, touch) -> ft.Control:
    body: list[ft.Control] = [ft.Semantics(identifier="paid", content=text(screen.paid, T.HEADLINE, bold=True))]
    for card in screen.cards:
        body.append(ft.Row([
            ft.Semantics(identifier=f"receipt-qr-{card.code}", label=card.qr_label, image=True,
                         content=ft.Image(src=card.qr_png, width=300, height=300)),
            ft.Column([ft.Semantics(identifier=f"receipt-code-{card.code}", content=text(card.code, 56, bold=True)),
                       text(card.summary, T.BODY)], spacing=8, width=T.wide(560)),
        ], spacing=36, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER))
    body.append(text(screen.show_note, T.BODY))
    if screen.print is not None:
        body.append(big_button(screen.print, run, primary=False, width=420))
    if screen.print_note:
        body.append(ft.Semantics(identifier="print-note", live_region=True,
                                 content=text(screen.print_note, T.BODY, bold=True)))
    body.append(big_button(screen.finish, run, width=360))
    return frame(screen.chrome, body, run)

"""The QR code to scan, the amount, the apps that pay, time left in words, and stop."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import PayingScreen
from kiosk.ui import theme as T
from kiosk.ui.screens.pay_choice import total_row
from kiosk.ui.widgets import big_button, frame, text


def view(screen: PayingScreen, run, touch) -> ft.Control:
    qr = ft.Semantics(identifier="payment-qr", label=screen.qr_label, value=screen.qr_url, image=True,
                      content=ft.Image(src=screen.qr_png, width=420, height=420) if screen.qr_png
                      else ft.ProgressRing(width=80, height=80))
    info: list[ft.Control] = [total_row(screen.amount_label, screen.amount), text(screen.how, T.BODY)]
    if screen.apps:
        info.append(text(screen.apps, T.BODY, bold=True))
    info += [
        ft.Semantics(identifier="countdown", live_region=True,
                     content=text(screen.countdown, T.HEADLINE, bold=True)),
        ft.Semantics(identifier="payment-status", live_region=True, content=text(screen.status, T.BODY)),
        big_button(screen.cancel, run, primary=False, width=360),
    ]
    return frame(screen.chrome, [ft.Row([qr, ft.Column(info, spacing=T.GAP, width=T.wide(620))], spacing=48,
                                        wrap=True, vertical_alignment=ft.CrossAxisAlignment.START)], run)

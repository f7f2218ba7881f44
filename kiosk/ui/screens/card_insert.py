"""Put the card on the reader: a picture, what the reader sees now, "use without a card"."""

from __future__ import annotations

import flet as ft

from kiosk.flow.card_screens import CardInsertScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text


def view(screen: CardInsertScreen, run, touch) -> ft.Control:
    trouble = screen.status == "no_reader"
    picture = ft.Semantics(identifier="card-picture", label=screen.picture_label, image=True,
                           content=ft.Image(src=screen.picture, width=420, height=300))
    status = ft.Semantics(
        identifier="card-status", live_region=True, label=screen.message,
        content=ft.Row([
            ft.ProgressRing(width=40, height=40, stroke_width=5, color=T.PRIMARY) if not trouble
            else text("！", T.TITLE, bold=True, color=T.NOTICE_INK),
            ft.Container(text(screen.message, T.HEADLINE, bold=True,
                              color=T.NOTICE_INK if trouble else T.INK), expand=True),
        ], spacing=16, vertical_alignment=ft.CrossAxisAlignment.CENTER),
    )
    return frame(screen.chrome, [
        ft.Row([picture, ft.Container(ft.Column([status, text(screen.hint, T.BODY)], spacing=T.GAP),
                                      width=T.wide(560))],
               wrap=True, spacing=40, vertical_alignment=ft.CrossAxisAlignment.CENTER),
        big_button(screen.without_card, run, primary=False, width=420),
    ], run)

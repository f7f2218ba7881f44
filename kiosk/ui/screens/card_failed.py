"""The card could not be used: why, in plain words, and what to do now."""

from __future__ import annotations

import flet as ft

from kiosk.flow.card_screens import CardFailedScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text


def view(screen: CardFailedScreen, run, touch) -> ft.Control:
    message = ft.Semantics(identifier="card-failure", live_region=True, value=screen.code, content=ft.Container(
        text("！ " + screen.message, T.HEADLINE, bold=True, color=T.NOTICE_INK),
        bgcolor=T.NOTICE_BG, border=ft.Border.all(3, T.NOTICE_INK), border_radius=12, padding=24, width=900))
    actions = [big_button(screen.retry, run, width=360)] if screen.retry is not None else []
    actions.append(big_button(screen.without_card, run, primary=screen.retry is None, width=420))
    return frame(screen.chrome, [message, ft.Row(actions, spacing=T.GAP, wrap=True)], run)

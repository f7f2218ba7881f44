"""Consent before the basic four items are read: what, what for, what is kept."""

from __future__ import annotations

import flet as ft

from kiosk.flow.card_screens import CardConsentScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text


def view(screen: CardConsentScreen, run, touch) -> ft.Control:
    items = ft.Column([text("・" + item, T.HEADLINE, bold=True) for item in screen.items], spacing=6)
    return frame(screen.chrome, [
        text(screen.intro, T.BODY),
        ft.Semantics(identifier="consent-items", content=items),
        text(screen.use, T.BODY),
        text(screen.keep, T.BODY),
        text(screen.number_note, T.BODY, bold=True),
        ft.Row([big_button(screen.agree, run, width=360, height=96),
                big_button(screen.decline, run, primary=False, width=520, height=96)],
               spacing=T.GAP, wrap=True, run_spacing=T.GAP),
    ], run)

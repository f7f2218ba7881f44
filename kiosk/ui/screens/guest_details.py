"""Guest details: name, phone, and the self-declared "do you live in <city>?".

What is typed goes to the session as it is typed (``screen.edit``), so choosing yes/no
or a notice re-drawing the screen loses nothing.
"""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import GuestDetailsScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text

FIELD_WIDTH = 720


def _field(label: str, value: str, *, keyboard=ft.KeyboardType.TEXT, max_length: int,
           on_change) -> ft.TextField:
    return ft.TextField(
        label=label,
        value=value,
        keyboard_type=keyboard,
        max_length=max_length,
        counter=ft.Container(),  # no "3/60" counter in small print; the flow checks length
        width=FIELD_WIDTH,
        text_style=T.text_style(T.INPUT),
        # Flutter shrinks a floating label to 3/4: 32 px in the box, 24 px above it.
        label_style=T.text_style(T.FIELD_LABEL, color=T.INK),
        border_width=3,
        border_color=T.INK,
        focused_border_width=4,
        focused_border_color=T.PRIMARY,
        content_padding=ft.Padding.symmetric(horizontal=20, vertical=24),
        autocorrect=False,
        enable_suggestions=False,
        on_change=on_change,
    )


def view(screen: GuestDetailsScreen, run, touch) -> ft.Control:
    def keep(field: str):
        async def handler(e) -> None:
            touch()
            value = e.control.value or ""
            screen.edit(value if field == "name" else None, value if field == "phone" else None)

        return handler

    name = _field(screen.name_label, screen.name, max_length=60, on_change=keep("name"))
    phone = _field(screen.phone_label, screen.phone, keyboard=ft.KeyboardType.PHONE,
                   max_length=16, on_change=keep("phone"))
    answers = ft.Row([big_button(a, run, primary=False, width=240) for a in screen.residency_options],
                     spacing=T.GAP * 2, run_spacing=T.GAP, wrap=True)
    return frame(
        screen.chrome,
        [
            name,
            phone,
            text(screen.residency_question, T.HEADLINE, bold=True),
            answers,
            text(screen.residency_note, T.BODY),
        ],
        run,
        primary=big_button(screen.submit, run, width=T.PRIMARY_WIDTH),
    )

"""My bookings: booking number and phone number, then find it.

What is typed goes to the session as it is typed (``screen.edit``), so a re-drawn screen
(a notice, the link status changing) loses nothing.
"""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import MyLookupScreen
from kiosk.flow.viewmodels import Action
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame

FIELD_WIDTH = 720


def _field(label: str, value: str, *, keyboard, max_length: int, on_change) -> ft.TextField:
    return ft.TextField(
        label=label, value=value, keyboard_type=keyboard, max_length=max_length,
        counter=ft.Container(), width=FIELD_WIDTH, text_style=T.text_style(T.INPUT),
        label_style=T.text_style(T.FIELD_LABEL, color=T.INK), border_width=3, border_color=T.INK,
        focused_border_width=4, focused_border_color=T.PRIMARY,
        content_padding=ft.Padding.symmetric(horizontal=20, vertical=24),
        autocorrect=False, enable_suggestions=False, on_change=on_change,
    )


def view(screen: MyLookupScreen, run, touch) -> ft.Control:
    def keep(which: str):
        async def handler(e) -> None:
            touch()
            value = e.control.value or ""
            screen.edit(value if which == "code" else None, value if which == "phone" else None)

        return handler

    code = _field(screen.code_label, screen.code, keyboard=ft.KeyboardType.TEXT, max_length=16,
                  on_change=keep("code"))
    phone = _field(screen.phone_label, screen.phone, keyboard=ft.KeyboardType.PHONE, max_length=16,
                   on_change=keep("phone"))
    submit = Action("lookup", screen.submit_label, lambda: screen.submit(code.value or "", phone.value or ""))
    return frame(screen.chrome, [code, phone, big_button(submit, run, width=360)], run)

"""The guest's name: one text field and "next".

What is typed goes to the session as it is typed (``screen.edit``), so a notice, BACK
from the next screen or a change of text size draws it again."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import GuestFieldScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text_field


def field_view(screen: GuestFieldScreen, run, touch, *, keyboard) -> ft.Control:
    """One question answered by typing (the name, the phone number)."""
    async def keep(e) -> None:
        touch()
        screen.edit(e.control.value or "")

    async def enter(e) -> None:  # the keyboard's Enter does what "next" does
        run(screen.next.run, screen.next.id)

    field = text_field(screen.field_label, screen.value, keyboard=keyboard,
                       max_length=screen.max_length, on_change=keep, on_submit=enter)
    # the identifier says which question this is (browser tests wait for it)
    return frame(screen.chrome, [ft.Semantics(identifier=f"field-{screen.field}", content=field)], run,
                 primary=big_button(screen.next, run, width=T.PRIMARY_WIDTH))


def view(screen: GuestFieldScreen, run, touch) -> ft.Control:
    return field_view(screen, run, touch, keyboard=ft.KeyboardType.NAME)

"""The guest's phone number: one text field (the phone keypad) and "next"."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import GuestFieldScreen
from kiosk.ui.screens.guest_name import field_view


def view(screen: GuestFieldScreen, run, touch) -> ft.Control:
    return field_view(screen, run, touch, keyboard=ft.KeyboardType.PHONE)

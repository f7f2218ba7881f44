"""My bookings: "cancel this booking?", with what it refunds."""

from __future__ import annotations

import flet as ft

from kiosk.flow.payment_screens import MyBookingScreen
from kiosk.ui.screens import my_booking


def view(screen: MyBookingScreen, run, touch) -> ft.Control:
    return my_booking.view(screen, run, touch)  # the same layout, other question and actions

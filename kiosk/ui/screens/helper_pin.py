"""The staff PIN pad for helper view, over whatever screen the person is on.

The same PIN pad as the card's (kiosk/ui/pin_pad.py); the digits typed so far are the
session's (``screen.entry``), and OK hands them to ``screen.submit``."""

from __future__ import annotations

import flet as ft

from kiosk.flow.assist_view import HelperPinScreen
from kiosk.ui import theme as T
from kiosk.ui.pin_pad import pin_layout, pin_pad
from kiosk.ui.widgets import frame, text


def view(screen: HelperPinScreen, run, touch) -> ft.Control:
    pad = pin_pad(screen, run, touch, prefix="staff-pin", min_digits=screen.min_digits,
                  max_digits=screen.max_digits, dot_size=48)
    message = ft.Semantics(identifier="staff-pin-message", live_region=True, content=text(
        ("！ " if screen.error else "") + screen.message, T.HEADLINE if screen.error else T.BODY, bold=True,
        color=T.NOTICE_INK if screen.error else T.INK))
    hint = text(screen.hint, T.BODY)
    if T.roomy():
        return frame(screen.chrome, [pin_layout(pad, [message], [hint])], run)
    return frame(screen.chrome, [pin_layout(pad, [hint, message], [])], run)

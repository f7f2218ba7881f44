"""The card's PIN screen: the PIN pad (kiosk/ui/pin_pad.py), what to do, the tries left.

The digits typed so far are the session's (``screen.entry``), so a change of text size
keeps them; OK hands them to ``screen.submit``."""

from __future__ import annotations

import flet as ft

from kiosk.flow.card_screens import CardPinScreen
from kiosk.ui import theme as T
from kiosk.ui.pin_pad import pin_layout, pin_pad
from kiosk.ui.widgets import big_button, frame, text


def view(screen: CardPinScreen, run, touch) -> ft.Control:
    pad = pin_pad(screen, run, touch, prefix="pin", length=screen.length)
    message = ft.Semantics(identifier="pin-message", live_region=True, content=text(
        ("！ " if screen.error else "") + screen.message, T.HEADLINE, bold=True,
        color=T.NOTICE_INK if screen.error else T.INK))
    pin_name = text(screen.pin_name, T.BODY, bold=True)
    notes = [text(n, T.DETAIL) for n in screen.notes]
    if T.roomy():  # larger text: what to do, the dots and the word keys in sight at the top
        without = big_button(screen.without_card, run, primary=False)
        layout = pin_layout(pad, [message], [pin_name, *notes, without])
    else:
        without = big_button(screen.without_card, run, primary=False, width=420)
        layout = pin_layout(pad, [pin_name, message], [*notes, without])
    return frame(screen.chrome, [layout], run)

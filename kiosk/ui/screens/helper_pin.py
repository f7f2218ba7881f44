"""The staff PIN pad for helper view, over whatever screen the person is on.

Like the card's PIN pad, the digits live only in this view's closure while staff type:
never in the flow, the session or a view-model; OK hands them to ``screen.submit``."""

from __future__ import annotations

import flet as ft

from kiosk.flow.assist_view import HelperPinScreen
from kiosk.ui import theme as T
from kiosk.ui.screens.card_pin import KEY, _key
from kiosk.ui.widgets import frame, text


def view(screen: HelperPinScreen, run, touch) -> ft.Control:
    digits: list[str] = []
    dots = text("", 48, bold=True)
    shown = ft.Semantics(identifier="staff-pin-dots", live_region=True, content=dots)
    ok_holder = ft.Container()

    def redraw() -> None:
        dots.value = " ".join("●" for _ in digits) or "－"
        shown.label = screen.entered[len(digits)]
        ok_holder.content = _key(screen.ok_label, "staff-pin-ok", submit, width=2 * KEY + 16, primary=True,
                                 enabled=len(digits) >= screen.min_digits)

    def changed() -> None:
        touch()
        redraw()
        shown.update()
        ok_holder.update()

    async def press(e) -> None:
        if len(digits) < screen.max_digits:
            digits.append(e.control.data)
        changed()

    async def delete(e) -> None:
        if digits:
            digits.pop()
        changed()

    async def clear(e) -> None:
        digits.clear()
        changed()

    async def submit(e) -> None:
        pin = "".join(digits)
        digits.clear()
        run(lambda: screen.submit(pin), "staff-pin-ok")

    def digit_key(d: str) -> ft.Control:
        key = _key(d, f"staff-pin-key-{d}", press)
        key.content.data = d
        return key

    k = screen.keys
    rows = [ft.Row([digit_key(d) for d in k[i:i + 3]], spacing=16) for i in (0, 3, 6)]
    rows.append(ft.Row([_key(screen.delete_label, "staff-pin-delete", delete),
                        digit_key(k[9]),
                        _key(screen.clear_label, "staff-pin-clear", clear)], spacing=16))
    redraw()
    rows.append(ok_holder)
    message = ft.Semantics(identifier="staff-pin-message", live_region=True, content=text(
        ("！ " if screen.error else "") + screen.message, T.HEADLINE if screen.error else T.BODY, bold=True,
        color=T.NOTICE_INK if screen.error else T.INK))
    side = ft.Column([text(screen.hint, T.BODY), message, shown], spacing=T.GAP)
    return frame(screen.chrome, [
        ft.Row([ft.Container(ft.Column(rows, spacing=16), width=3 * KEY + 2 * 16),
                ft.Container(side, expand=True)],
               spacing=48, vertical_alignment=ft.CrossAxisAlignment.START),
    ], run)

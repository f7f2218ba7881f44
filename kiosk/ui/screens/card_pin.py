"""The PIN pad: large keys, masked digits, the tries left.

The digits live only in this view's closure while the person types: never in the flow,
the session or a view-model. OK hands them to ``screen.submit`` and forgets them. Key
presses update the dots in place (no re-render, so nothing typed is lost)."""

from __future__ import annotations

import flet as ft

from kiosk.flow.card_screens import CardPinScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text

KEY = 112  # px: a key is larger than any other target


def _key_size() -> int:
    return KEY + T.GROWTH  # larger text: larger keys (136 px at extra large)


def _key(label: str, ident: str, on_click, *, width: int | None = None, primary: bool = False,
         enabled: bool = True, fit: bool = False) -> ft.Control:
    """A key; ``fit``: as wide as its word (larger text, beside the pad)."""
    key = _key_size()
    width = None if fit else (width or key)
    # A word key (delete, clear, OK) with larger text takes its text's height.
    height = None if T.roomy() and len(label) > 1 else key
    if not enabled:
        bg, fg, line = T.DISABLED_BG, T.DISABLED_INK, T.LINE
    else:
        bg, fg, line = (T.PRIMARY, T.ON_PRIMARY, T.PRIMARY) if primary else (T.PAPER, T.PRIMARY, T.PRIMARY)
    return ft.Semantics(identifier=ident, content=ft.Button(
        content=text(label, 40 if len(label) == 1 else T.BUTTON_TEXT, bold=True, color=fg),
        on_click=on_click if enabled else None, disabled=not enabled, width=width, height=height,
        style=ft.ButtonStyle(bgcolor=bg, shape=ft.RoundedRectangleBorder(radius=16),
                             padding=ft.Padding.symmetric(horizontal=28, vertical=16) if fit else None,
                             side=ft.BorderSide(3, line)),
    ))


def view(screen: CardPinScreen, run, touch) -> ft.Control:
    digits: list[str] = []
    dots = text("", 56, bold=True)
    shown = ft.Semantics(identifier="pin-dots", live_region=True, content=dots)
    ok_holder = ft.Container()

    def redraw() -> None:
        dots.value = "  ".join("●" if i < len(digits) else "○" for i in range(screen.length))
        shown.label = screen.entered[len(digits)]
        ok_holder.content = ok_button(len(digits) == screen.length)

    def ok_button(ready: bool) -> ft.Control:
        return _key(screen.ok_label, "pin-ok", submit, width=2 * _key_size() + 16, primary=True,
                    enabled=ready, fit=T.roomy())

    async def press(e) -> None:
        touch()
        if len(digits) < screen.length:
            digits.append(e.control.data)
            redraw()
            shown.update()
            ok_holder.update()

    async def delete(e) -> None:
        touch()
        if digits:
            digits.pop()
        redraw()
        shown.update()
        ok_holder.update()

    async def clear(e) -> None:
        touch()
        digits.clear()
        redraw()
        shown.update()
        ok_holder.update()

    async def submit(e) -> None:
        pin = "".join(digits)
        digits.clear()
        run(lambda: screen.submit(pin), "pin-ok")

    def digit_key(d: str) -> ft.Control:
        key = _key(d, f"pin-key-{d}", press)
        key.content.data = d
        return key

    k = screen.keys
    rows = [ft.Row([digit_key(d) for d in k[i:i + 3]], spacing=16) for i in (0, 3, 6)]
    key = _key_size()
    pad_width = 3 * key + 2 * 16
    if T.roomy():  # the word keys go beside the pad, where their words fit
        rows.append(ft.Row([digit_key(k[9])], spacing=16, alignment=ft.MainAxisAlignment.CENTER))
    else:
        rows.append(ft.Row([_key(screen.delete_label, "pin-delete", delete),
                            digit_key(k[9]),
                            _key(screen.clear_label, "pin-clear", clear)], spacing=16))
    redraw()
    if not T.roomy():
        rows.append(ok_holder)
    message = ft.Semantics(identifier="pin-message", live_region=True, content=text(
        ("！ " if screen.error else "") + screen.message, T.HEADLINE, bold=True,
        color=T.NOTICE_INK if screen.error else T.INK))
    side = ft.Column([text(screen.pin_name, T.BODY, bold=True), message, shown,
                      *[text(n, T.DETAIL) for n in screen.notes],
                      big_button(screen.without_card, run, primary=False, width=420)],
                     spacing=T.GAP)
    if T.roomy():  # larger text: what to do, the dots and the word keys in sight at the top
        side = ft.Column([message, shown, ok_holder,
                          ft.Row([_key(screen.delete_label, "pin-delete", delete, fit=True),
                                  _key(screen.clear_label, "pin-clear", clear, fit=True)],
                                 spacing=T.GAP, run_spacing=T.GAP, wrap=True),
                          text(screen.pin_name, T.BODY, bold=True),
                          *[text(n, T.DETAIL) for n in screen.notes],
                          big_button(screen.without_card, run, primary=False)],
                         spacing=T.GAP)
    # Side by side on every supported screen (1280 px and wider): the dots and the
    # message stay in view while the person types.
    pad = ft.Container(ft.Column(rows, spacing=16), width=pad_width)
    return frame(screen.chrome, [
        ft.Row([pad, ft.Container(side, expand=True)],
               spacing=48, vertical_alignment=ft.CrossAxisAlignment.START),
    ], run)

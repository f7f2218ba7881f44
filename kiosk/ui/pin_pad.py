"""The PIN pad: large keys, masked digits, OK, delete and clear. One widget for the
card's PIN screen and the staff PIN screen (helper view).

The digits are the view-model's ``entry`` (kiosk/flow/pin_entry.py, in the session):
a key press updates the dots and OK in place (no redraw of the screen), and a redraw
(a change of text size or contrast) draws the dots of the digits already typed. OK
hands the digits to ``screen.submit`` and empties the entry.

Identifiers, which the browser tests use: ``{prefix}-key-0`` .. ``-9``, ``-delete``,
``-clear``, ``-ok``, ``-dots`` (prefix "pin" or "staff-pin").
"""

from __future__ import annotations

from dataclasses import dataclass

import flet as ft

from kiosk.ui import theme as T
from kiosk.ui.widgets import text

KEY = 112  # px: a key is larger than any other target
KEY_GAP = 16


def key_size() -> int:
    return KEY + T.GROWTH  # larger text: larger keys (136 px at extra large)


def _key(label: str, ident: str, on_click, *, width: int | None = None, primary: bool = False,
         enabled: bool = True, fit: bool = False) -> ft.Control:
    """A key; ``fit``: as wide as its word (larger text, beside the pad)."""
    key = key_size()
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


@dataclass
class PinPad:
    """The pad's parts, for a screen to lay out: ``keys`` (the digit grid, with delete
    and clear under it at the standard size), ``dots``, ``ok``, and at larger text
    ``word_keys`` (delete and clear, to go beside the pad where their words fit)."""

    keys: ft.Control
    dots: ft.Control
    ok: ft.Control
    word_keys: ft.Control | None


def pin_pad(screen, run, touch, *, prefix: str, length: int | None = None,
            min_digits: int | None = None, max_digits: int | None = None,
            dot_size: int = 56) -> PinPad:
    """``length``: a PIN of exactly that many digits, shown as ○ and ● for each;
    otherwise ``min_digits`` to ``max_digits``, shown as the ● typed (－ for none)."""
    entry = screen.entry
    limit = length or max_digits
    ready_at = length or min_digits
    dots = text("", dot_size, bold=True)
    shown = ft.Semantics(identifier=f"{prefix}-dots", live_region=True, content=dots)
    ok_holder = ft.Container()
    key = key_size()
    roomy = T.roomy()

    def redraw() -> None:
        n = entry.count
        if length is not None:
            dots.value = "  ".join("●" if i < n else "○" for i in range(length))
        else:
            dots.value = " ".join("●" for _ in range(n)) or "－"
        shown.label = screen.entered[n]
        ok_holder.content = _key(screen.ok_label, f"{prefix}-ok", submit, width=2 * key + KEY_GAP,
                                 primary=True, enabled=n >= ready_at, fit=roomy)

    def changed() -> None:
        touch()
        redraw()
        shown.update()
        ok_holder.update()

    async def press(e) -> None:
        entry.press(e.control.data, limit=limit)
        changed()

    async def delete(e) -> None:
        entry.delete()
        changed()

    async def clear(e) -> None:
        entry.clear()
        changed()

    async def submit(e) -> None:
        pin = entry.take()
        run(lambda: screen.submit(pin), f"{prefix}-ok")

    def digit_key(d: str) -> ft.Control:
        control = _key(d, f"{prefix}-key-{d}", press)
        control.content.data = d
        return control

    def word_key(label: str, name: str, handler) -> ft.Control:
        return _key(label, f"{prefix}-{name}", handler, fit=roomy)

    k = screen.keys
    rows = [ft.Row([digit_key(d) for d in k[i:i + 3]], spacing=KEY_GAP) for i in (0, 3, 6)]
    word_keys = None
    if roomy:  # the word keys go beside the pad, where their words fit
        rows.append(ft.Row([digit_key(k[9])], spacing=KEY_GAP, alignment=ft.MainAxisAlignment.CENTER))
        word_keys = ft.Row([word_key(screen.delete_label, "delete", delete),
                            word_key(screen.clear_label, "clear", clear)],
                           spacing=T.GAP, run_spacing=T.GAP, wrap=True)
    else:
        rows.append(ft.Row([word_key(screen.delete_label, "delete", delete), digit_key(k[9]),
                            word_key(screen.clear_label, "clear", clear)], spacing=KEY_GAP))
    redraw()
    return PinPad(keys=ft.Container(ft.Column(rows, spacing=KEY_GAP), width=3 * key + 2 * KEY_GAP),
                  dots=shown, ok=ok_holder, word_keys=word_keys)


def pin_layout(pad: PinPad, before: list[ft.Control], after: list[ft.Control]) -> ft.Control:
    """The pad on the left and the words on the right, side by side on every supported
    screen (1280 px and wider), so the dots and the message stay in view while typing:
    ``before`` the dots, then (at larger text: OK and the word keys, in sight at the
    top) ``after``. At the standard size OK goes under the keys."""
    if T.roomy():
        left: ft.Control = pad.keys
        right = [*before, pad.dots, pad.ok, pad.word_keys, *after]
    else:
        left = ft.Column([pad.keys, pad.ok], spacing=KEY_GAP)
        right = [*before, pad.dots, *after]
    return ft.Row([left, ft.Container(ft.Column(right, spacing=T.GAP), expand=True)],
                  spacing=48, vertical_alignment=ft.CrossAxisAlignment.START)

"""The "練習 / Practice" band on every screen of a practice seat (``python -m kiosk practice``).

``KioskPage.render`` calls ``wrap(self, content)``; on a kiosk that is not a practice
seat (no ``practice`` attribute) it returns the content unchanged. On a practice seat it
puts the band above the screen, in the person's language and in Japanese, with the
practice card's button and PIN on the card screens and the practice payment app's
button while paying, and it reports the screen to the volunteer's room.
"""

from __future__ import annotations

import asyncio

import flet as ft

from kiosk.flow.card_identify import CARD_STATES
from kiosk.flow.states import State
from kiosk.flow.viewmodels import Action
from kiosk.i18n import Translator
from kiosk.practice import messages as PM
from kiosk.ui import fonts as kiosk_fonts, theme as T
from kiosk.ui.widgets import big_button, text

PAY_STATES = (State.PAY_CHOICE, State.PAYING)


def wrap(kiosk, content: ft.Control) -> ft.Control:
    seat = getattr(kiosk, "practice", None)
    if seat is None:
        return content
    seat.observe(kiosk.flow)
    if kiosk.flow.state is State.LANGUAGE:  # the band's Japanese needs BIZ UD at once
        later = kiosk_fonts.prefetch_fonts()
        if not set(later) <= set(kiosk.page.fonts or {}):
            kiosk.page.fonts = {**(kiosk.page.fonts or {}), **later}
    return ft.Column([band(kiosk, seat), ft.Container(content, expand=True)], spacing=8, expand=True)


def _lines(flow, seat: int) -> tuple[str, str, str]:
    """(the label, the seat, the sentence): the person's language, then Japanese; on the
    language screen, where no language is chosen yet, Japanese and English."""
    code = flow.session.language if flow.state is not State.LANGUAGE else None
    ja = Translator("ja")
    other = Translator(code or "en")
    if other.code == "ja":
        return ja(PM.PRACTICE), ja(PM.SEAT, n=seat), ja(PM.NOTHING_REAL)
    return (f"{ja(PM.PRACTICE)} / {other(PM.PRACTICE)}", f"{ja(PM.SEAT, n=seat)} / {other(PM.SEAT, n=seat)}",
            f"{other(PM.NOTHING_REAL)} {ja(PM.NOTHING_REAL)}")


def band(kiosk, seat) -> ft.Control:
    flow = kiosk.flow
    t = flow.t
    label, seat_label, sentence = _lines(flow, seat.number)
    head = ft.Row([
        ft.Icon(ft.Icons.SCHOOL_ROUNDED, color=T.PRACTICE_INK, size=36),
        text(label, T.HEADLINE, bold=True, color=T.PRACTICE_INK),
        text(seat_label, T.DETAIL, bold=True, color=T.PRACTICE_INK),
    ], spacing=16, vertical_alignment=ft.CrossAxisAlignment.CENTER, wrap=True)
    rows: list[ft.Control] = [ft.Semantics(identifier="practice-band-label", container=True, content=ft.Column(
        [head, text(sentence, T.DETAIL, color=T.PRACTICE_INK)], spacing=6, tight=True))]
    tools: list[ft.Control] = []
    if flow.state in CARD_STATES or flow.state is State.IDENTIFY:
        toggle = Action("practice-card", t(PM.REMOVE_CARD if seat.card_inserted else PM.INSERT_CARD),
                        lambda: _toggle_card(kiosk, seat))
        tools += [big_button(toggle, kiosk.run, primary=not seat.card_inserted, width=720),
                  ft.Semantics(identifier="practice-pin",
                               content=text(t(PM.CARD_PIN, pin=seat.pin), T.BODY, bold=True, color=T.PRACTICE_INK))]
    if flow.state in PAY_STATES and seat.paysim_url:
        url = seat.paysim_url.rstrip("/") + "/"
        button = big_button(Action("practice-pay-app", t(PM.OPEN_PAY_APP), lambda: None), kiosk.run,
                            primary=False, width=560)
        button.content.url = ft.Url(url, target=ft.UrlTarget.BLANK)
        tools += [button, ft.Semantics(identifier="practice-pay-hint", content=text(
            t(PM.PAY_APP_HINT, url=url), T.DETAIL, color=T.PRACTICE_INK))]
    if tools:
        rows.append(ft.Row(tools, spacing=T.GAP, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER))
    return ft.Semantics(
        identifier="practice-band",
        container=True,
        content=ft.Container(
            ft.Column(rows, spacing=6, tight=True),
            bgcolor=T.PRACTICE_BG, border=ft.Border.all(4, T.PRACTICE_EDGE), border_radius=12,
            padding=ft.Padding.symmetric(horizontal=20, vertical=10),
        ),
    )


def _toggle_card(kiosk, seat) -> None:
    seat.toggle_card()  # the card feature notices through the card service's changes


async def watch(kiosk, seat, tick_s: float = 0.3) -> None:
    """Run on the seat's page: when the volunteer resets the seat, start afresh."""
    while not kiosk.closed:
        await asyncio.sleep(tick_s)
        if seat.reset_needed():
            try:
                seat.catch_up(kiosk.flow)
                kiosk._hide_warning()
                kiosk.timer.touch()
                kiosk.render()
            except Exception as exc:  # never kill the watch: the next tick tries again
                kiosk._log_failure("practice-reset", exc)

"""The volunteer's page (``/volunteer`` on a practice kiosk): draws ``kiosk.practice.volunteer``
view-models, redraws when a seat moves (the room's version changes)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import flet as ft

from kiosk.practice.volunteer import SeatRow, Volunteer
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, notice_box, text

log = logging.getLogger(__name__)


class VolunteerPage:
    def __init__(self, page: ft.Page, model: Volunteer, tick_s: float = 0.3,
                 on_done: Callable[[], None] | None = None) -> None:
        self.page = page
        self.model = model
        self.tick_s = tick_s
        self.on_done = on_done  # on the page's loop after each action (the app marks its cache)
        self.closed = False
        self.busy = False
        self._drawn = -1

    def start(self) -> None:
        self.render()
        self.page.run_task(self._watch)

    async def _watch(self) -> None:
        while not self.closed:
            await asyncio.sleep(self.tick_s)
            if self.model.unlocked and self.model.room.version != self._drawn:
                self.render()

    def run(self, action, action_id: str = "") -> None:
        """A tap. Resets talk to the practice server: off the page's event loop, so every
        seat's page keeps drawing meanwhile; one action at a time."""
        if not self.busy:
            self.busy = True
            self.page.run_task(self._run, action, action_id)

    async def _run(self, action, action_id: str) -> None:
        try:
            await asyncio.to_thread(action)
        except Exception as exc:  # a plain line, never a trace
            log.error("volunteer action %r failed: %s", action_id, type(exc).__name__)
        finally:
            self.busy = False
        if self.on_done is not None:
            self.on_done()
        self.render()

    def render(self) -> None:
        T.speak(self.page, self.model.t.code)
        self._drawn = self.model.room.version
        s = self.model.screen()
        body: list[ft.Control] = [ft.Semantics(header=True, identifier="title",
                                               content=text(s.title, T.TITLE, bold=True))]
        note = notice_box((s.notice,), "volunteer-notice") if s.notice else None
        if note is not None:
            body.append(note)
        if s.locked:
            def typed(e) -> None:
                self.model.code = e.control.value or ""

            async def submitted(e) -> None:
                self.run(self.model.unlock, "volunteer-unlock")

            body += [
                ft.TextField(label=s.code_label, password=True, keyboard_type=ft.KeyboardType.NUMBER,
                             on_change=typed, on_submit=submitted, width=360,
                             text_style=T.text_style(T.INPUT), label_style=T.text_style(T.FIELD_LABEL)),
                big_button(s.unlock, self.run, width=360),
            ]
        else:
            body += [
                ft.Row([ft.Semantics(identifier="seat-count", content=text(s.count, T.BODY, bold=True)),
                        big_button(s.fewer, self.run, primary=False, width=300),
                        big_button(s.more, self.run, primary=False, width=300)],
                       spacing=T.GAP, wrap=True, vertical_alignment=ft.CrossAxisAlignment.CENTER),
                big_button(s.reset_all, self.run, width=420),
                *[self._row(r) for r in s.rows],
            ]
        self.page.controls = [ft.SafeArea(ft.Column(body, spacing=T.GAP, scroll=ft.ScrollMode.AUTO,
                                                    expand=True), expand=True)]
        self.page.update()

    def _row(self, row: SeatRow) -> ft.Control:
        return ft.Container(
            ft.Row([
                ft.Column([
                    text(f"{row.title} · {row.opened}", T.BODY, bold=True),
                    ft.Semantics(identifier=f"seat-{row.number}-step", content=text(row.step, T.BODY)),
                    text(row.url, T.DETAIL),
                ], spacing=4, expand=True),
                big_button(row.reset, self.run, primary=False, width=300),
            ], spacing=T.GAP, vertical_alignment=ft.CrossAxisAlignment.CENTER),
            border=ft.Border.all(2, T.LINE), border_radius=12, padding=16,
        )

    def close(self) -> None:
        self.closed = True

"""Month calendar: each day shows its state as a symbol (○ × 休 －), not colour alone,
as Japanese facility calendars do, with the legend beside the grid. A word in the cell
would not fit in every language; the cell's accessible name says it in full.

Laid out to fit a 1280 x 1024 screen without scrolling: the grid on the left, the
unit's name and the legend beside it.
"""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import CalendarScreen, DayCell
from kiosk.ui import theme as T
from kiosk.ui.link_status import banner
from kiosk.ui.widgets import big_button, frame, on_tap, text

CELL_W = 124
CELL_H = 84
CELL_GAP = 8
SIDE_W = 260
NAV_W = 280


def _cell(cell: DayCell | None, run) -> ft.Control:
    # Larger text: the seven days share the row's width (no fixed width), taller cells.
    width, height, expand = (None, T.grown(CELL_H), True) if T.roomy() else (CELL_W, CELL_H, False)
    if cell is None:
        return ft.Container(width=width, height=height, expand=expand)
    a = cell.action
    if not a.enabled:
        bg, fg = T.DISABLED_BG, T.DISABLED_INK
    elif a.selected:
        bg, fg = T.SELECTED, T.ON_PRIMARY
    else:
        bg, fg = T.PAPER, T.PRIMARY
    return ft.Container(expand=expand, content=ft.Semantics(
        identifier=a.id,
        label=a.label,
        button=True,
        disabled=not a.enabled,  # said to screen readers too, not only painted grey
        selected=a.selected or None,
        exclude_semantics=True,  # the label says it all; the painted "28 ○" would repeat it
        content=ft.Container(
            width=width,
            height=height,
            bgcolor=bg,
            border=ft.Border.all(3 if a.enabled else 1, T.PRIMARY if a.enabled else T.LINE),
            border_radius=10,
            padding=4,
            on_click=on_tap(run, a) if a.enabled else None,
            content=ft.Column(
                [text(cell.number, 28, bold=True, color=fg), text(a.badge, 28, bold=True, color=fg)],
                spacing=0,
                horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                alignment=ft.MainAxisAlignment.CENTER,
            ),
        ),
    ))


def _roomy_grid(screen: CalendarScreen, run, side: ft.Control) -> ft.Control:
    """Larger text: the month on its own line, the month buttons side by side under it,
    the days sharing the full width, the legend under the grid."""
    month = ft.Semantics(identifier="month", content=text(screen.month_label, T.HEADLINE, bold=True))
    paging = ft.Row([ft.Container(big_button(a, run, primary=False), expand=True)
                     for a in (screen.previous_month, screen.next_month)], spacing=T.GAP)
    weekdays = ft.Row([ft.Container(text(d, T.DETAIL, bold=True), expand=True,
                                    alignment=ft.Alignment.CENTER) for d in screen.weekdays],
                      spacing=CELL_GAP)
    weeks = [ft.Row([_cell(c, run) for c in week], spacing=CELL_GAP) for week in screen.weeks]
    return ft.Column([month, paging, weekdays, *weeks, side], spacing=CELL_GAP * 2)


def view(screen: CalendarScreen, run, touch) -> ft.Control:
    month = ft.Row(
        [
            big_button(screen.previous_month, run, primary=False, width=NAV_W),
            ft.Container(ft.Semantics(identifier="month",
                                      content=text(screen.month_label, T.HEADLINE, bold=True)),
                         width=7 * CELL_W + 6 * CELL_GAP - 2 * NAV_W - 2 * T.GAP,
                         alignment=ft.Alignment.CENTER),
            big_button(screen.next_month, run, primary=False, width=NAV_W),
        ],
        spacing=T.GAP,
        vertical_alignment=ft.CrossAxisAlignment.CENTER,
    )
    weekdays = ft.Row([ft.Container(text(d, T.DETAIL, bold=True), width=CELL_W,
                                    alignment=ft.Alignment.CENTER) for d in screen.weekdays],
                      spacing=CELL_GAP)
    weeks = [ft.Row([_cell(c, run) for c in week], spacing=CELL_GAP) for week in screen.weeks]
    grid = ft.Column([month, weekdays, *weeks], spacing=CELL_GAP)
    side = ft.Column(
        [ft.Semantics(identifier="unit-name", content=text(screen.unit_name, T.BODY, bold=True)),
         *[ft.Row([ft.Container(text(badge, 28, bold=True), width=T.grown(40)),
                   ft.Container(text(meaning, T.DETAIL), expand=True)],
                  vertical_alignment=ft.CrossAxisAlignment.START)
           for badge, meaning in screen.legend]],
        spacing=12,
        width=SIDE_W,
    )
    body: list[ft.Control] = []
    if (offline := banner(screen.availability_note, screen.availability_detail)) is not None:
        body.append(offline)
    if T.roomy():
        side.width = None
        body.append(_roomy_grid(screen, run, side))
    else:
        body.append(ft.Row([grid, side], spacing=T.GAP, vertical_alignment=ft.CrossAxisAlignment.START))
    return frame(screen.chrome, body, run)

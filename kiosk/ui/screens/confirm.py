"""Confirm: what, when, who, the fee item by item, options and reductions."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import ConfirmScreen
from kiosk.ui import theme as T
from kiosk.ui.widgets import big_button, frame, text

LABEL_WIDTH = 200
CHOICE_WIDTH = 380


def summary_table(rows) -> ft.Control:
    return ft.Column(
        [ft.Row([ft.Container(text(k, T.BODY, color=T.DISABLED_INK), width=T.wide(LABEL_WIDTH)),
                 ft.Container(text(v, T.BODY, bold=True), expand=True)],
                vertical_alignment=ft.CrossAxisAlignment.START)
         for k, v in rows],
        spacing=8,
    )


def _fee_table(screen: ConfirmScreen) -> ft.Control:
    rows: list[ft.Control] = [
        ft.Row([ft.Container(text(r.label, T.BODY), expand=True),
                ft.Container(text(r.detail, T.DETAIL, color=T.DISABLED_INK), width=T.wide(200)),
                ft.Container(text(r.amount, T.BODY, bold=True), width=T.wide(150),
                             alignment=ft.Alignment.CENTER_RIGHT)])
        for r in screen.fee_rows
    ]
    rows.append(ft.Divider(height=2, thickness=2, color=T.INK))
    rows.append(ft.Semantics(identifier="total", content=ft.Row(
        [ft.Container(text(screen.total_label, T.HEADLINE, bold=True), expand=True),
         ft.Container(text(screen.total, T.HEADLINE, bold=True), width=T.wide(260),
                      alignment=ft.Alignment.CENTER_RIGHT)])))
    return ft.Column(rows, spacing=6)


def view(screen: ConfirmScreen, run, touch) -> ft.Control:
    """What is booked and its fee on the left; options and reductions (which change the
    fee) on the right, so the total stays in sight while choosing them."""

    def choices(actions) -> ft.Control:
        return ft.Column([big_button(a, run, primary=False, width=CHOICE_WIDTH) for a in actions],
                         spacing=T.GAP // 2)

    left: list[ft.Control] = [summary_table(screen.summary),
                              text(screen.fee_title, T.HEADLINE, bold=True),
                              _fee_table(screen)]
    right: list[ft.Control] = []
    if screen.surcharges:
        right += [text(screen.options_title, T.HEADLINE, bold=True), choices(screen.surcharges)]
    if len(screen.exemptions) > 1:
        right += [text(screen.exemption_title, T.HEADLINE, bold=True), choices(screen.exemptions)]
        if any(a.selected for a in screen.exemptions[1:]):  # a reduction is chosen
            left.append(text(screen.exemption_note, T.BODY, bold=True))
    columns = [ft.Column(left, spacing=T.GAP // 2, expand=True)]
    if right:
        columns.append(ft.Column(right, spacing=T.GAP // 2, width=CHOICE_WIDTH))
    # Larger text: options and reductions under the fee, one column.
    layout = (ft.Column([ft.Column(left, spacing=T.GAP // 2), *right], spacing=T.GAP // 2) if T.roomy()
              else ft.Row(columns, spacing=T.GAP * 2, vertical_alignment=ft.CrossAxisAlignment.START))
    return frame(screen.chrome,
                 [layout],
                 run, primary=big_button(screen.book, run, width=T.PRIMARY_WIDTH, height=96))

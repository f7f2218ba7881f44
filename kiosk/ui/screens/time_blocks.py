"""Time blocks of one day: toggles (blocks for halls, hours for courts)."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import TimeBlocksScreen
from kiosk.ui import theme as T
from kiosk.ui.link_status import banner
from kiosk.ui.widgets import big_button, frame, text


def view(screen: TimeBlocksScreen, run, touch) -> ft.Control:
    # 380 px: three a row on a 1280 px screen, so 12 hourly court slots fit in 4 rows.
    slots = ft.Row([big_button(a, run, primary=False, width=380) for a in screen.slots],
                   wrap=True, spacing=T.GAP, run_spacing=T.GAP)
    offline = banner(screen.availability_note, screen.availability_detail)
    return frame(
        screen.chrome,
        [
            text(f"{screen.unit_name} — {screen.day_label}", T.HEADLINE, bold=True),
            *([offline] if offline is not None else []),
            slots,
            ft.Semantics(identifier="selection", live_region=True,
                         content=text(screen.selection, T.BODY)),
        ],
        run,
        primary=big_button(screen.next, run, width=T.PRIMARY_WIDTH),
    )

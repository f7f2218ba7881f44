"""Unit screen: a list of big choices."""

from __future__ import annotations

import flet as ft

from kiosk.flow.viewmodels import ChoiceScreen
from kiosk.ui.widgets import choice_grid, frame


def view(screen: ChoiceScreen, run, touch) -> ft.Control:
    return frame(screen.chrome, [choice_grid(screen.options, run, width=560)], run)

"""WCAG contrast of the kiosk's colour tokens, in both themes (kiosk/ui/palette.py).

Every place text is drawn is listed as a (text token, background token) pair; the
standard theme keeps 4.5:1 (WCAG AA), the high-contrast theme 7:1 (AAA), and borders
that show where a button is keep 3:1 (WCAG 1.4.11).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.ui.palette import (
    MIN_NON_TEXT,
    MIN_RATIO,
    PALETTES,
    Palette,
    contrast_ratio,
    non_text_pairs,
    text_pairs,
)

UI = Path(__file__).resolve().parents[2] / "kiosk" / "ui"


def test_the_ratio_is_wcags():
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # the classic near-miss
    assert contrast_ratio("#0B3D91", "#FFFFFF") == contrast_ratio("#FFFFFF", "#0B3D91")


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_every_text_pair_is_readable(name: str):
    low = {where: round(contrast_ratio(fg, bg), 2) for where, (fg, bg) in text_pairs(PALETTES[name]).items()
           if contrast_ratio(fg, bg) < MIN_RATIO[name]}
    assert not low, f"{name}: under {MIN_RATIO[name]}:1: {low}"


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_button_borders_and_rules_are_visible(name: str):
    low = {where: round(contrast_ratio(fg, bg), 2) for where, (fg, bg) in non_text_pairs(PALETTES[name]).items()
           if contrast_ratio(fg, bg) < MIN_NON_TEXT}
    assert not low, low


def test_the_themes_differ_in_every_token():
    a, b = PALETTES["standard"].tokens(), PALETTES["high"].tokens()
    same = {"PRACTICE_BG"}  # the amber practice band is the band in both themes
    assert a.keys() == b.keys() and all(a[k] != b[k] for k in a if k not in same)


def test_no_screen_hard_codes_a_colour():
    """A colour written into a view would stay the same in the high-contrast theme."""
    found = [f"{p.name}: {m}" for p in UI.rglob("*.py") if p.name != "palette.py"
             for m in re.findall(r"#[0-9A-Fa-f]{6}\b", p.read_text())]
    assert not found, found



def test_no_view_cuts_text_short():
    """No ellipsis, no line limit: at any text size a label wraps instead of being cut
    (the browser checks, tests/browser/a11y_checks.py, see the result)."""
    found = [f"{p.name}: {m}" for p in UI.rglob("*.py")
             for m in re.findall(r"TextOverflow\.(?:ELLIPSIS|CLIP|FADE)|max_lines\s*=", p.read_text())]
    assert not found, found

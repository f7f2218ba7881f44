"""The kiosk's colour tokens, in two themes, and the WCAG contrast they must keep.

Plain Python (no Flet): ``kiosk.ui.theme`` copies the chosen palette into its module
tokens at the start of each render; ``tests/app/test_contrast.py`` computes the WCAG 2.x
contrast ratio of every text/background pair below, in both palettes.

>>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
21.0
>>> min(contrast_ratio(*colours) for colours in text_pairs(HIGH_CONTRAST).values()) >= 7
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Palette:
    INK: str  # body text
    PAPER: str  # the page, dialogs, outlined buttons
    PRIMARY: str  # main buttons' background; outlined buttons' text and border
    ON_PRIMARY: str  # text on PRIMARY and on SELECTED
    SELECTED: str  # a chosen option (also shown by ✓ and its words)
    DISABLED_BG: str
    DISABLED_INK: str  # also secondary text on PAPER (step, labels)
    NOTICE_BG: str
    NOTICE_INK: str  # notices (with a warning sign), the offline indicator
    LINE: str  # borders and rules (non-text: 3:1 is enough)
    CONFIRMED_BG: str  # a booking's status box (with an icon and words)
    REJECTED_BG: str
    REJECTED_INK: str
    HELPER_INK: str  # the helper view's band (kiosk/ui/call_staff.py)
    HELPER_BG: str
    PRACTICE_INK: str  # the practice band (kiosk/ui/practice_band.py): unlike any screen
    PRACTICE_BG: str
    PRACTICE_EDGE: str

    def tokens(self) -> dict[str, str]:
        return asdict(self)


STANDARD = Palette(
    INK="#111111", PAPER="#FFFFFF", PRIMARY="#0B3D91", ON_PRIMARY="#FFFFFF",
    SELECTED="#00602B", DISABLED_BG="#E4E4E4", DISABLED_INK="#505050",
    NOTICE_BG="#FFF1D6", NOTICE_INK="#6B3A00", LINE="#6E6E6E",
    CONFIRMED_BG="#E3F4E8", REJECTED_BG="#FBE4E4", REJECTED_INK="#8A1010",
    HELPER_INK="#3B1F6B", HELPER_BG="#F1ECFA",
    PRACTICE_INK="#111111", PRACTICE_BG="#FFD54F", PRACTICE_EDGE="#6B3A00",
)

# Light text on black, yellow for what can be tapped: the usual high-contrast look of
# public terminals (and of Windows' "High contrast black").
HIGH_CONTRAST = Palette(
    INK="#FFFFFF", PAPER="#000000", PRIMARY="#FFE600", ON_PRIMARY="#000000",
    SELECTED="#7CF5A0", DISABLED_BG="#262626", DISABLED_INK="#D4D4D4",
    NOTICE_BG="#1C1200", NOTICE_INK="#FFD27A", LINE="#BDBDBD",
    CONFIRMED_BG="#00210D", REJECTED_BG="#2B0000", REJECTED_INK="#FFA8A8",
    HELPER_INK="#E4D2FF", HELPER_BG="#170B2E",
    PRACTICE_INK="#000000", PRACTICE_BG="#FFC83D", PRACTICE_EDGE="#FFFFFF",
)

PALETTES = {"standard": STANDARD, "high": HIGH_CONTRAST}
MIN_RATIO = {"standard": 4.5, "high": 7.0}  # WCAG 1.4.3 (AA) and 1.4.6 (AAA)
MIN_NON_TEXT = 3.0  # WCAG 1.4.11: borders that show where a button is

# Every (text, background) pair some screen draws, by where it is drawn.
TEXT_PAIRS = {
    "body text": ("INK", "PAPER"),
    "outlined button, calendar day": ("PRIMARY", "PAPER"),
    "main button": ("ON_PRIMARY", "PRIMARY"),
    "chosen option": ("ON_PRIMARY", "SELECTED"),
    "disabled button or day": ("DISABLED_INK", "DISABLED_BG"),
    "secondary text (step, labels)": ("DISABLED_INK", "PAPER"),
    "notice": ("NOTICE_INK", "NOTICE_BG"),
    "offline indicator, PIN error": ("NOTICE_INK", "PAPER"),
    "online indicator": ("SELECTED", "PAPER"),
    "confirmed booking note": ("SELECTED", "CONFIRMED_BG"),
    "rejected booking note": ("REJECTED_INK", "REJECTED_BG"),
    "cancelled booking note": ("INK", "DISABLED_BG"),
    "call staff: the call's status": ("SELECTED", "CONFIRMED_BG"),
    "helper view band": ("HELPER_INK", "HELPER_BG"),
    "practice band": ("PRACTICE_INK", "PRACTICE_BG"),
}
NON_TEXT_PAIRS = {
    "rules and frames": ("LINE", "PAPER"),
    "outlined button border": ("PRIMARY", "PAPER"),
    "notice frame": ("NOTICE_INK", "NOTICE_BG"),
    "helper band frame": ("HELPER_INK", "HELPER_BG"),
    "practice band frame": ("PRACTICE_EDGE", "PAPER"),
}


def _channel(c: int) -> float:
    s = c / 255
    return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#RRGGBB``."""
    h = colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_pairs(palette: Palette) -> dict[str, tuple[str, str]]:
    """Each place text is drawn, as its (text colour, background colour)."""
    t = palette.tokens()
    return {where: (t[fg], t[bg]) for where, (fg, bg) in TEXT_PAIRS.items()}


def non_text_pairs(palette: Palette) -> dict[str, tuple[str, str]]:
    t = palette.tokens()
    return {where: (t[fg], t[bg]) for where, (fg, bg) in NON_TEXT_PAIRS.items()}

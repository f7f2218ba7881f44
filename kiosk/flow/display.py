"""Text size and contrast: one person's display settings and the panel that changes them.

The settings live in the ``Session`` (``session.display``), so they are the person's:
changed on any screen without leaving it (the flow's state and choices are untouched)
and wiped with the session (finish, start over, timeout), so the next person starts at
the standard size and colours. The Flet side (``kiosk/ui/display_settings.py``) only
lays this view-model out.

>>> from kiosk.flow.session import Session
>>> from kiosk.i18n import Translator
>>> session = Session()
>>> panel = display_panel(session, Translator("en"))
>>> panel.open.label, [a.label for a in panel.sizes]
('Text size and colours', ['✓ Standard', 'Large', 'Extra large'])
>>> panel.open.run(); session.display.panel_open
True
>>> display_panel(session, Translator("en")).sizes[2].run()
>>> session.display.text_size, session.display.panel_open
(<TextSize.EXTRA_LARGE: 'xl'>, True)
>>> [a.label for a in display_panel(session, Translator("en")).sizes if a.selected]
['✓ Extra large']
>>> session.reset(); session.display.text_size
<TextSize.STANDARD: 'standard'>
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.flow.viewmodels import Action
from kiosk.i18n import N_, Translator


class TextSize(StrEnum):
    STANDARD = "standard"  # the smallest text 24 px
    LARGE = "large"  # 32 px
    EXTRA_LARGE = "xl"  # 48 px


class Contrast(StrEnum):
    STANDARD = "standard"  # dark text on white, >= 4.5:1 everywhere
    HIGH = "high"  # light text on black, >= 7:1 everywhere


# Pixels every text grows by: the smallest text is 24, 32 or 48 px and headings keep
# their lead over body text (kiosk.ui.theme applies it).
TEXT_GROWTH = {TextSize.STANDARD: 0, TextSize.LARGE: 8, TextSize.EXTRA_LARGE: 24}

OPEN = N_("Text size and colours")
# At large and extra large text the footer is one compact row: this one button opens
# the same panel, which then also holds start over, call staff and helper view.
OPEN_COMPACT = N_("Settings and help")
# The language screen has no language yet: it says it in Japanese and English.
OPEN_BEFORE_LANGUAGE = "文字の大きさと色 / Text size and colours"
PANEL_TITLE = N_("Text size and colours")
SIZE_TITLE = N_("Text size")
SIZE_NAMES = {
    TextSize.STANDARD: N_("Standard"),
    TextSize.LARGE: N_("Large"),
    TextSize.EXTRA_LARGE: N_("Extra large"),
}
CONTRAST_TITLE = N_("Colours")
CONTRAST_NAMES = {
    Contrast.STANDARD: N_("Standard colours"),
    Contrast.HIGH: N_("High contrast (light text on black)"),
}
CLOSE = N_("Close")
SELECTED_MARK = "✓ "


@dataclass
class DisplaySettings:
    text_size: TextSize = TextSize.STANDARD
    contrast: Contrast = Contrast.STANDARD
    panel_open: bool = False  # the settings panel shows over the current screen


@dataclass(frozen=True)
class DisplayPanel:
    settings: DisplaySettings
    open: Action  # on every screen, top right
    open_compact: Action  # the same, in the compact footer (large, extra large)
    title: str
    size_title: str
    sizes: tuple[Action, ...]
    contrast_title: str
    contrasts: tuple[Action, ...]
    close: Action


def _set(settings: DisplaySettings, **values) -> None:
    for name, value in values.items():
        setattr(settings, name, value)


def display_panel(session, t: Translator, *, before_language: bool = False) -> DisplayPanel:
    """The panel's view-model for ``session`` in the language of ``t``. Each choice says
    it is chosen by a ✓ and its words, not by colour alone."""
    s: DisplaySettings = session.display

    def say(message: str) -> str:
        if not before_language:
            return t(message)
        return f"{Translator('ja')(message)} / {Translator('en')(message)}"

    def choice(prefix: str, value, name: str, field: str) -> Action:
        chosen = getattr(s, field) == value
        return Action(f"{prefix}-{value.value}", (SELECTED_MARK if chosen else "") + say(name),
                      lambda: _set(s, **{field: value}), selected=chosen)

    return DisplayPanel(
        settings=s,
        open=Action("display-settings", OPEN_BEFORE_LANGUAGE if before_language else t(OPEN),
                    lambda: _set(s, panel_open=True)),
        open_compact=Action("display-settings", OPEN_BEFORE_LANGUAGE if before_language else t(OPEN_COMPACT),
                            lambda: _set(s, panel_open=True)),
        title=say(PANEL_TITLE),
        size_title=say(SIZE_TITLE),
        sizes=tuple(choice("text-size", v, n, "text_size") for v, n in SIZE_NAMES.items()),
        contrast_title=say(CONTRAST_TITLE),
        contrasts=tuple(choice("contrast", v, n, "contrast") for v, n in CONTRAST_NAMES.items()),
        close=Action("display-close", say(CLOSE), lambda: _set(s, panel_open=False)),
    )


def before_language_text() -> str:
    """Everything the panel says on the language screen (Japanese and English): the
    language screen's own small fonts must draw it (kiosk.tools.build_script_fonts)."""
    from kiosk.flow.session import Session

    panel = display_panel(Session(), Translator("ja"), before_language=True)
    actions = (panel.open, *panel.sizes, *panel.contrasts, panel.close)
    return " ".join([panel.title, panel.size_title, panel.contrast_title, SELECTED_MARK,
                     *(a.label for a in actions)])

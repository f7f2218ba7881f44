"""Data texts in the person's language, with Japanese as the visible fallback.

Names of places, options and exemptions come from the city data (``units.toml`` and its
``translations/<folder>.toml``), Japanese always present. Names the kiosk itself gives --
the usual time blocks, "per hour" -- come from the catalogs, so every language has them
without each city translating them. Staff know the blocks by their Japanese names
(午前 / 午後 / 夜間): ``staff_name`` gives that line for screens in other languages.

    >>> from kiosk.i18n import Translator
    >>> t = Translator("en")
    >>> block_name(t, "morning", {"ja": "午前"})
    'Morning'
    >>> block_name(Translator("ja"), "morning", {"ja": "午前"})
    '午前'
    >>> staff_name(t, "morning", {"ja": "午前"})
    '午前'
    >>> staff_name(Translator("ja"), "morning", {"ja": "午前"})
    ''
    >>> data_text(t, {"ja": "和室"})  # no English in the data: Japanese, never a blank
    '和室'
"""

from __future__ import annotations

from kiosk.domain.fees import FeeLabel
from kiosk.domain.model import HOURLY_RATE_KEY, LocalizedText, localized
from kiosk.i18n import N_, Translator

# The kiosk's own names for the standard rate keys, used where the data has no text in
# the person's language. Keys are block codes (and "hour" for hourly units).
STANDARD_NAMES: dict[str, str] = {
    "morning": N_("Morning"),
    "afternoon": N_("Afternoon"),
    "evening": N_("Evening"),
    HOURLY_RATE_KEY: N_("per hour"),
}


def data_text(t: Translator, text: LocalizedText) -> str:
    """A text from the city data in the person's language, else Japanese."""
    return localized(text, t.code)


def block_name(t: Translator, key: str, names: LocalizedText) -> str:
    """A block's (or the hour's) name: the data's own text for this language, else the
    kiosk's standard name from the catalog, else the data's fallback (Japanese)."""
    own = names.get(t.code)
    if own:
        return own
    if key in STANDARD_NAMES:
        return t(STANDARD_NAMES[key])
    return localized(names, t.code)


def staff_name(t: Translator, key: str, names: LocalizedText) -> str:
    """The Japanese name staff use for a block, when the screen shows another name."""
    japanese = names.get("ja", "")
    if not japanese or key == HOURLY_RATE_KEY or block_name(t, key, names) == japanese:
        return ""
    return japanese


def fee_label(t: Translator, label: FeeLabel) -> str:
    """What a fee line is called in the person's language."""
    name = block_name(t, label.name_key, label.names) if label.name_key else data_text(t, label.names)
    if not label.message:
        return name
    return t(label.message, name=name, percent=label.percent)

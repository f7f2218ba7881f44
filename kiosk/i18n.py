"""Translation and locale-aware formatting for every user-facing string.

Mark strings in code with ``N_("...")`` (extracted, translated later) or translate at
once with a ``Translator``. Catalogs live in ``locales/<code>/LC_MESSAGES/messages.po``
and are compiled to ``.mo`` by the setup step.

    >>> t = Translator("en")
    >>> t.yen(12300)
    '¥12,300'
"""

from __future__ import annotations

import gettext as _gettext
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def _printable(text: str) -> str:
    return text.replace("\u202f", "\u00a0")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction; use with ``Translator.ngettext``."""
    return singular, plural


@dataclass(frozen=True)
class Language:
    code: str  # our locale code (BCP 47 style: "ja-easy", "zh-Hans", "pt-BR")
    babel_locale: str  # the CLDR locale used for dates, times, numbers and plural rules
    native_name: str  # the language named in itself, as the language screen shows it
    staged: bool = False  # catalog prepared but not offered yet (see docs/i18n.md)

    @property
    def folder(self) -> str:
        """The catalog folder under locales/ (gettext wants "_": "ja_easy", "zh_Hans")."""
        return self.code.replace("-", "_")


# Every language with a catalog in locales/, most used first: Japanese, やさしい日本語 and
# English, then by the number of residents in Japan who read the language (docs/i18n.md).
# Adding a language: one catalog in locales/<folder>/ and one line here. A line with
# staged=True has its catalog kept up to date but is not offered (and not gated by the
# completeness test) until the flag is removed.
ALL_LANGUAGES: tuple[Language, ...] = (
    Language("ja", "ja", "日本語"),
    Language("ja-easy", "ja", "やさしい にほんご"),
    Language("en", "en", "English"),
    Language("zh-Hans", "zh_Hans_CN", "简体中文"),
    Language("zh-Hant", "zh_Hant_TW", "繁體中文"),
    Language("vi", "vi_VN", "Tiếng Việt"),
    Language("ko", "ko_KR", "한국어"),
    Language("fil", "fil_PH", "Filipino"),
    Language("ne", "ne_NP", "नेपाली"),
    Language("pt-BR", "pt_BR", "Português (Brasil)"),
    Language("id", "id_ID", "Bahasa Indonesia"),
    Language("my", "my_MM", "မြန်မာ"),
    Language("th", "th_TH", "ไทย"),
    Language("si", "si_LK", "සිංහල"),
    Language("es", "es_PE", "Español"),
)
LANGUAGES: tuple[Language, ...] = tuple(lang for lang in ALL_LANGUAGES if not lang.staged)
STAGED_LANGUAGES: tuple[Language, ...] = tuple(lang for lang in ALL_LANGUAGES if lang.staged)
LANGUAGES_BY_CODE = {lang.code: lang for lang in LANGUAGES}
ALL_LANGUAGES_BY_CODE = {lang.code: lang for lang in ALL_LANGUAGES}
DEFAULT_LANGUAGE = "ja"


def _catalog_dir(code: str) -> str:
    # gettext wants a folder name per language; "ja-easy" is stored as "ja_easy".
    return code.replace("-", "_")


class Translator:
    """Everything one session needs to speak the person's language."""

    def __init__(self, code: str = DEFAULT_LANGUAGE, *, include_staged: bool = False) -> None:
        # include_staged: tools and tests may speak a prepared language before it ships.
        known = ALL_LANGUAGES_BY_CODE if include_staged else LANGUAGES_BY_CODE
        if code not in known:
            code = DEFAULT_LANGUAGE
        self.language = known[code]
        self.code = code
        self.locale = Locale.parse(self.language.babel_locale)
        self._catalog = _gettext.translation(
            DOMAIN, localedir=str(LOCALES_DIR), languages=[_catalog_dir(code)], fallback=True
        )

    def gettext(self, message: str, **params: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**params) if params else text

    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def yen(self, amount: int) -> str:
        # Western digits in every language (CLDR's "latn" numbering): amounts must read
        # the same as on the receipt, the payment app and the counter's till.
        return format_currency(amount, "JPY", locale=self.locale, numbering_system="latn")

    def date(self, value: date, format: str = "long") -> str:
        return _printable(format_date(value, format=format, locale=self.locale))

    def time(self, value: time | datetime, format: str = "short") -> str:
        """A time of day; CLDR's narrow no-break space ("9:00\u202fAM") becomes a plain
        no-break space, which the kiosk's font has (it has no U+202F).

        >>> Translator("en").time(time(9, 0))
        '9:00\xa0AM'
        """
        return _printable(format_time(value, format=format, locale=self.locale))

"""The language table, and Babel's CLDR formats in every language, staged ones too."""

from __future__ import annotations

import re
from datetime import date, datetime, time

import pytest
from babel import Locale
from babel.dates import get_day_names

from kiosk.i18n import ALL_LANGUAGES, LANGUAGES, STAGED_LANGUAGES, Translator
from kiosk.tools import _catalogs as C

CODES = [lang.code for lang in ALL_LANGUAGES]
# Arabic-Indic, Devanagari, Myanmar, Sinhala and Thai digits
NON_LATIN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u1040-\u1049"
                              "\u0de6-\u0def\u0e50-\u0e59]")


def test_fifteen_languages_most_used_first():
    assert CODES == ["ja", "ja-easy", "en", "zh-Hans", "zh-Hant", "vi", "ko", "fil", "ne",
                     "pt-BR", "id", "my", "th", "si", "es"]
    assert len({lang.native_name for lang in ALL_LANGUAGES}) == 15
    assert set(LANGUAGES) | set(STAGED_LANGUAGES) == set(ALL_LANGUAGES)
    assert [lang.code for lang in LANGUAGES] == [c for c in CODES if c in {l.code for l in LANGUAGES}]


@pytest.mark.parametrize("lang", ALL_LANGUAGES, ids=CODES)
def test_every_language_has_a_catalog_and_a_cldr_locale(lang):
    assert C.po_path(lang.folder).is_file()
    Locale.parse(lang.babel_locale)  # raises for a locale CLDR does not know


@pytest.mark.parametrize("lang", ALL_LANGUAGES, ids=CODES)
def test_catalog_plural_forms_follow_cldr(lang):
    catalog = C.read_catalog(C.po_path(lang.folder), C.babel_locale(lang.folder))
    categories = Locale.parse(lang.babel_locale).plural_form.tags | {"other"}
    assert catalog.num_plurals == len(categories)


@pytest.mark.parametrize("lang", ALL_LANGUAGES, ids=CODES)
def test_dates_times_and_yen_in_the_language(lang):
    t = Translator(lang.code, include_staged=True)
    assert t.code == lang.code
    saturday = date(2026, 11, 28)
    full = t.date(saturday, "full")
    assert "28" in full and "2026" in full
    wide = get_day_names("wide", locale=t.locale)[5]  # babel: 0 = Monday
    assert wide in full, (full, wide)
    yen = t.yen(12300)
    assert re.search(r"12[,.\u00a0\u202f]300", yen) and ("¥" in yen or "JPY" in yen or "￥" in yen)
    times = t.time(time(13, 30)) + t.time(datetime(2026, 11, 28, 9, 0))
    assert "30" in times
    for text in (full, yen, times):  # Western digits everywhere, as on receipts and tills
        assert not NON_LATIN_DIGITS.search(text), text


@pytest.mark.parametrize("lang", [lang for lang in ALL_LANGUAGES if lang.code != "en"],
                         ids=[c for c in CODES if c != "en"])
def test_catalog_is_compiled_and_speaks_the_language(lang):
    t = Translator(lang.code, include_staged=True)
    assert t("Back") != "Back"
    one = t.ngettext("The screen will go back to the start in {n} second.",
                     "The screen will go back to the start in {n} seconds.", 1)
    many = t.ngettext("The screen will go back to the start in {n} second.",
                      "The screen will go back to the start in {n} seconds.", 30)
    assert "1" in one and "30" in many and "second" not in many


def test_a_staged_language_is_not_offered_until_registered(monkeypatch):
    import kiosk.i18n as i18n

    if STAGED_LANGUAGES:
        staged = STAGED_LANGUAGES[0].code
    else:  # every language ships today: stage the last one, as a new language would be
        staged = i18n.LANGUAGES[-1].code
        monkeypatch.setattr(i18n, "LANGUAGES_BY_CODE",
                            {c: lang for c, lang in i18n.LANGUAGES_BY_CODE.items() if c != staged})
    assert Translator(staged).code == "ja"  # not offered: the default language
    assert Translator(staged, include_staged=True).code == staged

"""Fonts for every script, offline: built from the Debian packages, subset to what the
kiosk shows, served per language, with a .notdef nobody can miss."""

from __future__ import annotations

import io
from pathlib import Path

import png
import pytest
from fontTools.ttLib import TTFont

from kiosk.i18n import ALL_LANGUAGES
from kiosk.tools import build_fonts, build_script_fonts, tofu
from kiosk.ui import fonts

CODES = [lang.code for lang in ALL_LANGUAGES]
SCREEN_SYMBOLS = "○×休－✓·—–¥￥%"  # badges and punctuation the screens add to any language


@pytest.fixture(scope="module")
def built():
    assert build_fonts.main([]) == 0
    assert build_script_fonts.main([]) == 0
    manifest = fonts.manifest()
    assert manifest is not None
    return manifest


@pytest.fixture(scope="module")
def texts(built):
    return build_script_fonts.language_texts()


@pytest.mark.parametrize("code", CODES)
def test_every_character_a_language_shows_has_a_served_glyph(built, texts, code):
    served = fonts.served_files(code)
    assert served and all(p.is_file() for p in served)
    # The screens' own signs (⚠ ○ × 休 ✓ ...) show in every language.
    signs = "".join(map(chr, build_script_fonts.symbol_chars(patterns=("kiosk/ui/**/*.py", "kiosk/flow/**/*.py"))))
    assert tofu.uncovered(texts[code] + SCREEN_SYMBOLS + signs, served) == set()


def test_the_language_screen_needs_only_a_few_bold_fonts(built):
    first = fonts.served_files(None)
    names = "".join(lang.native_name for lang in ALL_LANGUAGES) + "言語を選んでください / Choose your language"
    assert tofu.uncovered(names, first) == set()
    assert len(first) <= 6 and sum(p.stat().st_size for p in first) < 100_000  # tens of KB
    assert not any(p.name.startswith(("NotoSansSC.", "NotoSansThai", "BIZUDPGothic")) for p in first)
    later = {p.name for p in fonts.served_files("ja")} - {p.name for p in first}
    assert {path.rsplit("/", 1)[-1] for path in fonts.prefetch_fonts().values()} == later
    for code in CODES:  # every language's page keeps the language screen's fonts
        assert set(first) <= set(fonts.served_files(code))


@pytest.mark.parametrize("code", ["zh-Hans", "zh-Hant", "ko", "ne", "th", "my", "si", "vi"])
def test_a_language_is_drawn_in_its_own_script_font_first(built, code):
    family, fallback = fonts.chain(code)
    bold, bold_fallback = fonts.chain(code, bold=True)
    assert family.startswith("NotoSans") and bold == family + "Bold"
    assert fallback[0] == "BIZUDGothic" or fallback[0].startswith("BIZUD")
    assert family in bold_fallback  # bold falls back to its regular face
    loaded = fonts.page_fonts(code)
    assert family in loaded and bold in loaded
    others = {fonts.chain(c)[0] for c in ("zh-Hans", "ko", "th")} - {family}
    assert not others & set(loaded)  # only this language's script fonts are served


@pytest.mark.parametrize("code", ["ja", "ja-easy", "en", "pt-BR", "es", "fil", "id"])
def test_japanese_and_latin_languages_use_biz_ud_gothic(built, code):
    from kiosk.ui import theme

    assert fonts.chain(code) [0] == theme.FONT
    assert fonts.chain(code, bold=True)[0] == theme.FONT_BOLD


def test_every_served_font_draws_notdef_magenta(built):
    for family, path in built["files"].items():
        font = TTFont(fonts.ASSETS_DIR / path, lazy=True)
        assert "COLR" in font and "CPAL" in font, family
        red, green, blue, alpha = font["CPAL"].palettes[0][0]
        assert (red, green, blue) == (255, 0, 255)


def test_fonts_are_subset_small(built):
    sizes = built["bytes"]
    assert sizes["NotoSansSC"] < 600_000 and sizes["NotoSansKR"] < 400_000  # full faces: ~16 MB
    # The language screen's names font also draws the ja/en text size and colours panel
    # (about 13 KB of it; docs/accessibility.md).
    assert max(size for family, size in sizes.items() if family.endswith("Names")) < 60_000


def _png(pixels: list[tuple[int, int, int]], width: int) -> bytes:
    rows = [sum((list(p) for p in pixels[i:i + width]), []) for i in range(0, len(pixels), width)]
    out = io.BytesIO()
    png.Writer(width, len(rows), greyscale=False).write(out, rows)
    return out.getvalue()


def test_the_pixel_detector_sees_magenta_and_only_magenta():
    white, ink, blue = (255, 255, 255), (17, 17, 17), (11, 61, 145)
    assert tofu.magenta_pixels(_png([white, ink, blue, (255, 0, 0)] * 4, 4)) == 0
    assert tofu.magenta_pixels(_png([white, (255, 0, 255), (240, 40, 235), ink], 2)) == 2

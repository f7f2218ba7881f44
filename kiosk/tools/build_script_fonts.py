"""Build the fonts of every script the kiosk speaks, subset to what it shows, per language.

    python -m kiosk.tools.build_script_fonts [--force]

Japanese (and most Latin text) is BIZ UD Gothic, built by ``kiosk.tools.build_fonts``.
This adds, from the Debian packages fonts-noto-core and fonts-noto-cjk, one Regular and
one Bold family per further script (Simplified and Traditional Chinese, Hangul,
Devanagari, Thai, Myanmar, Sinhala, and Latin with Vietnamese letters), each subset to
the characters of its languages' catalogs, city data and CLDR dates, times and amounts;
and tiny bold "names" fonts holding only the languages' own names where BIZ UD lacks
them, so the language screen shows all fifteen before any language font is loaded.

It writes ``assets/fonts/scripts/manifest.json``: the files, the few the language
screen loads (``first``: bold faces only), which a page adds for each language (its
Regular faces and its script's fonts), and the fallback chains of its text styles
(``kiosk.ui.fonts`` reads it). The .notdef glyph of every
served font, BIZ UD included, is drawn magenta (a COLR layer) so a missing glyph is a
magenta box a screenshot check cannot miss (``kiosk.ui.tofu``).

Idempotent: a stamp of the inputs makes a rerun with nothing changed take milliseconds.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
from datetime import date, time as clock
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "assets"
OUT_DIR = ASSETS / "fonts" / "scripts"  # not assets/fonts: build_fonts prunes stray .ttf there
MANIFEST = OUT_DIR / "manifest.json"
NOTO = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")
VERSION = 8  # bump when the plan changes: the stamp then rebuilds (8: the language screen calls staff)
NOTDEF_RGBA = (1.0, 0.0, 1.0, 1.0)  # magenta: no real text is drawn in it

# ISO 15924 script -> (family, regular source, bold source); a source is (file, ttc index).
SCRIPT_FONTS: dict[str, tuple[str, tuple[Path, int | None], tuple[Path, int | None]]] = {
    "Latn": ("NotoSansLatin", (NOTO / "NotoSans-Regular.ttf", None), (NOTO / "NotoSans-Bold.ttf", None)),
    "Hans": ("NotoSansSC", (NOTO_CJK / "NotoSansCJK-Regular.ttc", 2), (NOTO_CJK / "NotoSansCJK-Bold.ttc", 2)),
    "Hant": ("NotoSansTC", (NOTO_CJK / "NotoSansCJK-Regular.ttc", 3), (NOTO_CJK / "NotoSansCJK-Bold.ttc", 3)),
    "Kore": ("NotoSansKR", (NOTO_CJK / "NotoSansCJK-Regular.ttc", 1), (NOTO_CJK / "NotoSansCJK-Bold.ttc", 1)),
    "Deva": ("NotoSansDevanagari", (NOTO / "NotoSansDevanagari-Regular.ttf", None),
             (NOTO / "NotoSansDevanagari-Bold.ttf", None)),
    "Thai": ("NotoSansThai", (NOTO / "NotoSansThai-Regular.ttf", None), (NOTO / "NotoSansThai-Bold.ttf", None)),
    "Mymr": ("NotoSansMyanmar", (NOTO / "NotoSansMyanmar-Regular.ttf", None),
             (NOTO / "NotoSansMyanmar-Bold.ttf", None)),
    "Sinh": ("NotoSansSinhala", (NOTO / "NotoSansSinhala-Regular.ttf", None),
             (NOTO / "NotoSansSinhala-Bold.ttf", None)),
}
JAPANESE = "Jpan"  # BIZ UD Gothic (kiosk.tools.build_fonts)
# Signs the screens draw that BIZ UD lacks (⚠ ✕ ...): one small regular face for all.
SYMBOLS = ("NotoSansSymbols2", (NOTO / "NotoSansSymbols2-Regular.ttf", None))
SYMBOL_SOURCES = ("kiosk/ui/**/*.py", "kiosk/flow/**/*.py", "locales/*/LC_MESSAGES/*.po")
MERGED_NAMES = "NotoSansNames"  # the bold names of Devanagari, Thai, Myanmar, Sinhala ...
BIZ_NAMES = "BIZUDNames"  # the language screen's title and names that BIZ UD Bold draws
# Latin letters anyone may type (names), whatever the screen's language: Latin-1,
# Extended-A/B, Vietnamese, general punctuation, currency and a few symbols.
LATIN_RANGES = ((0x20, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20BF),
                (0x2100, 0x215F), (0x2190, 0x21FF), (0x2212, 0x2212), (0x25A0, 0x25FF), (0x2713, 0x2714))
COMMON = "".join(chr(c) for c in range(0x20, 0x7F)) + "¥×·–—‐‑‒“”‘’…‥・〜～（）「」：、。￥％"


def script_of(babel_locale: str) -> str:
    """The ISO 15924 script a CLDR locale writes in ("Hans", "Deva", "Latn", "Jpan"...)."""
    from babel import Locale
    from babel.core import get_global

    locale = Locale.parse(babel_locale)
    if locale.script:
        return locale.script
    likely = get_global("likely_subtags").get(locale.language, "")
    return likely.split("_")[1] if likely.count("_") >= 1 else "Latn"


def cldr_text(babel_locale: str) -> str:
    """Every date, weekday, month, time and yen text the kiosk may ask Babel for."""
    from babel.dates import format_date, format_skeleton, format_time, get_day_names, get_month_names
    from babel.numbers import format_currency

    parts: list[str] = []
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated", "short", "narrow"):
            parts += get_day_names(width, context, babel_locale).values()
        for width in ("wide", "abbreviated", "narrow"):
            parts += get_month_names(width, context, babel_locale).values()
    for month in range(1, 13):
        for day in (1, 12, 28):
            d = date(2026, month, day)
            parts += [format_date(d, f, locale=babel_locale) for f in ("full", "long", "medium", "short")]
            parts += [format_skeleton(s, d, locale=babel_locale) for s in ("MMMEd", "yMMMM", "MMMd", "yMMMEd")]
    for hour in range(24):
        parts += [format_time(clock(hour, minute), "short", locale=babel_locale) for minute in (0, 30)]
    for amount in (0, 1234567, -1500):
        parts.append(format_currency(amount, "JPY", locale=babel_locale, numbering_system="latn"))
    return "".join(parts)


def language_texts(root: Path = REPO) -> dict[str, str]:
    """Language code -> everything shown in it: catalog, city data, CLDR, its own name."""
    from kiosk.i18n import ALL_LANGUAGES
    from kiosk.opendata import load_city
    from kiosk.tools import _catalogs as C

    cities = [load_city(d) for d in sorted((root / "kiosk" / "data").iterdir())
              if (d / "units.toml").is_file()]
    out = {}
    for lang in ALL_LANGUAGES:
        parts = [lang.native_name, cldr_text(lang.babel_locale)]
        path = C.po_path(lang.folder, root / "locales")
        if path.is_file():
            for message in C.read_catalog(path, C.babel_locale(lang.folder)):
                strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
                parts += [s for s in strings if s]
        for city in cities:
            parts += [text.get(lang.code, "") for text in _data_texts(city)]
        out[lang.code] = "".join(parts)
    return out


def _data_texts(city):
    yield city.name
    for f in city.facilities:
        yield from (f.names, f.description, f.barrier_free)
    for u in city.units:
        yield from (u.names, u.notes, u.barrier_free)
        yield from (s.names for s in u.surcharges)
        yield from (b.names for b in u.blocks)
    yield from (e.names for e in city.exemptions.values())


def load_source(source: tuple[Path, int | None]):
    from fontTools.ttLib import TTCollection, TTFont

    path, index = source
    if index is None:
        return TTFont(path, lazy=True)
    return TTCollection(path, lazy=True).fonts[index]


def mark_notdef(font) -> None:
    """Draw the font's .notdef glyph (a box) in magenta, through a COLR v0 layer."""
    from fontTools.colorLib.builder import buildCOLR, buildCPAL

    notdef = font.getGlyphOrder()[0]
    font["COLR"] = buildCOLR({notdef: [(notdef, 0)]})
    font["CPAL"] = buildCPAL([[NOTDEF_RGBA]])


def subset(source: tuple[Path, int | None], unicodes: set[int]) -> bytes:
    from fontTools import subset as fs

    options = fs.Options()
    options.layout_features = ["*"]  # Indic and Myanmar shaping needs every feature
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["meta"]
    font = load_source(source)
    subsetter = fs.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    mark_notdef(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _codepoints(text: str) -> set[int]:
    """The characters of ``text`` and what a shaper may split them into: HarfBuzz draws
    Thai SARA AM (ำ) as NIKHAHIT + SARA AA, so a font needs those glyphs too."""
    import unicodedata

    out = {ord(ch) for ch in text if ord(ch) >= 0x20}
    for cp in list(out):
        out.update(ord(ch) for ch in unicodedata.normalize("NFKD", chr(cp)) if ord(ch) >= 0x20)
    return out


def _letters(text: str) -> set[int]:
    import unicodedata

    return {ord(ch) for ch in text if unicodedata.category(ch)[0] in "LM"}


def cmap(path: Path) -> set[int]:
    from fontTools.ttLib import TTFont

    return set(TTFont(path, lazy=True).getBestCmap())


def plan(texts: dict[str, str]) -> dict:
    """Which fonts to build (family -> source and characters) and the per-language chains.

    The language screen loads only tiny bold "names" fonts (``first``): its title and
    the fifteen names, from BIZ UD Bold, Noto CJK and the other Noto faces (those in
    glyf outlines merged into one file). Once it shows, the page fetches BIZ UD, Latin
    and the symbols in the background (``prefetch``); a chosen language adds its script.
    """
    # the language screen's "call staff" button is drawn at once; what a call then says
    # there comes a moment later, by when the page has fetched BIZ UD in the background
    from kiosk.flow.assist_messages import CALL_STAFF_LANGUAGE_SCREEN
    from kiosk.flow.display import before_language_text
    from kiosk.flow.messages import CHOOSE_LANGUAGE
    from kiosk.i18n import ALL_LANGUAGES
    from kiosk.ui import theme

    regular, bold = theme.FONT, theme.FONT_BOLD
    biz_cmap, biz_bold_cmap = (cmap(ASSETS / theme.FONT_FILES[f]) if (ASSETS / theme.FONT_FILES[f]).is_file()
                               else set() for f in (regular, bold))
    latin_r, latin_b = SCRIPT_FONTS["Latn"][0], SCRIPT_FONTS["Latn"][0] + "Bold"
    latin_chars = {c for lo, hi in LATIN_RANGES for c in range(lo, hi + 1)}
    builds: dict[str, dict] = {
        latin_r: {"source": SCRIPT_FONTS["Latn"][1], "chars": set(latin_chars)},
        latin_b: {"source": SCRIPT_FONTS["Latn"][2], "chars": set(latin_chars)},
        BIZ_NAMES: {"source": (ASSETS / theme.FONT_FILES[bold], None),
                    "chars": _codepoints(CHOOSE_LANGUAGE + CALL_STAFF_LANGUAGE_SCREEN)},
    }
    # The text size and colours panel, which the language screen offers in ja and en.
    first_extra = _codepoints(before_language_text())
    builds[BIZ_NAMES]["chars"] |= first_extra & biz_bold_cmap
    builds[latin_b]["chars"] |= first_extra - biz_bold_cmap
    symbols = symbol_chars() - biz_cmap - biz_bold_cmap
    if symbols:
        builds[SYMBOLS[0]] = {"source": SYMBOLS[1], "chars": symbols}
    scripts = {lang.code: script_of(lang.babel_locale) for lang in ALL_LANGUAGES}
    for lang in ALL_LANGUAGES:
        script = scripts[lang.code]
        name = _codepoints(lang.native_name)
        builds[BIZ_NAMES]["chars"] |= name & biz_bold_cmap
        if script in (JAPANESE, "Latn"):
            builds[latin_r]["chars"] |= _codepoints(texts[lang.code]) - biz_cmap
            builds[latin_b]["chars"] |= _codepoints(texts[lang.code]) - biz_cmap
            family, source = latin_r, SCRIPT_FONTS["Latn"][2]
        else:
            family, source = SCRIPT_FONTS[script][0], SCRIPT_FONTS[script][2]
            for fam, src in ((family, SCRIPT_FONTS[script][1]), (family + "Bold", source)):
                builds.setdefault(fam, {"source": src, "chars": _codepoints(COMMON)})
                builds[fam]["chars"] |= _codepoints(texts[lang.code])
        lacking = name - biz_bold_cmap - {0x20}
        if lacking:  # its own name needs glyphs BIZ UD Bold does not have (ế, 简, 한 ...)
            spec = builds.setdefault(family + "Names", {"source": source, "chars": set(),
                                                        "merge": not _is_cjk(script)})
            spec["chars"] |= lacking
    names = [BIZ_NAMES] + sorted(f for f in builds if f.endswith("Names") and f != BIZ_NAMES
                                 and not builds[f].get("merge"))
    if any(spec.get("merge") for spec in builds.values()):
        names.append(MERGED_NAMES)
    prefetch = [bold, regular, latin_b, latin_r] + ([SYMBOLS[0]] if symbols else [])
    tail = ([SYMBOLS[0]] if symbols else []) + names
    languages = {}
    for lang in ALL_LANGUAGES:
        script = scripts[lang.code]
        own: list[str] = []
        if script == "Latn" and not _letters(texts[lang.code]) <= biz_cmap:
            own = [latin_b, latin_r]  # BIZ UD lacks letters this language writes (Vietnamese)
        elif script not in (JAPANESE, "Latn"):
            own = [SCRIPT_FONTS[script][0] + "Bold", SCRIPT_FONTS[script][0]]
        # Each chain ends with the other weight's faces and the names fonts: better bold
        # than a box while a face is still loading.
        languages[lang.code] = {
            "script": script,
            "load": list(dict.fromkeys(own + names + prefetch)),
            "regular": list(dict.fromkeys(own[1:] + [regular, latin_r] + own[:1] + [bold, latin_b] + tail)),
            "bold": list(dict.fromkeys(own + [bold, regular, latin_b, latin_r] + tail)),
        }
    return {"builds": builds, "first": names, "prefetch": prefetch, "languages": languages}


def symbol_chars(root: Path = REPO, patterns: tuple[str, ...] = SYMBOL_SOURCES) -> set[int]:
    """Symbols and punctuation outside ASCII that the screens' code and catalogs write."""
    import unicodedata

    out: set[int] = set()
    for pattern in patterns:
        for path in root.glob(pattern):
            out.update(ord(ch) for ch in path.read_text(encoding="utf-8", errors="ignore")
                       if ord(ch) > 0x7F and unicodedata.category(ch)[0] in "SP")
    return out


def _is_cjk(script: str) -> bool:
    # Noto CJK faces are CID-keyed CFF: fontTools cannot merge those, so they stay apart.
    return script in ("Hans", "Hant", "Kore")


def merge_names(fonts: list[bytes]) -> bytes:
    """One font of the glyf-outlined names fonts (layout tables merged: shaping kept)."""
    from fontTools.merge import Merger, Options
    from fontTools.ttLib import TTFont

    parts = []
    for data in fonts:
        font = TTFont(io.BytesIO(data))
        for tag in ("COLR", "CPAL"):
            if tag in font:
                del font[tag]
        buffer = io.BytesIO()
        font.save(buffer)
        buffer.seek(0)
        parts.append(buffer)
    merged = Merger(options=Options()).merge(parts)
    mark_notdef(merged)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def _fingerprint(texts: dict[str, str], biz_files: list[Path]) -> str:
    from kiosk.flow.display import before_language_text
    from kiosk.ui import theme

    sources = sorted({str(p) for _, r, b in SCRIPT_FONTS.values() for p in (r[0], b[0])})
    return hashlib.sha256(json.dumps({
        "texts": {code: sorted(set(text)) for code, text in texts.items()},
        "symbols": sorted(symbol_chars()),
        "sources": {s: Path(s).stat().st_mtime for s in sources if Path(s).is_file()},
        "biz": {str(p): p.stat().st_mtime for p in biz_files if p.is_file()},
        "families": theme.FONT_FILES, "version": VERSION, "first": sorted(set(before_language_text())),
    }, sort_keys=True).encode()).hexdigest()


def build(force: bool = False, root: Path = REPO) -> list[Path]:
    """Build the script fonts and the manifest; returns the files written."""
    from kiosk.ui import theme

    texts = language_texts(root)
    biz_files = [ASSETS / path for path in theme.FONT_FILES.values()]
    stamp = OUT_DIR / ".stamp.json"
    if not force and stamp.is_file() and MANIFEST.is_file():
        if json.loads(stamp.read_text()).get("fingerprint") == _fingerprint(texts, biz_files):
            return []
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    written = _mark_biz(biz_files)
    layout = plan(texts)
    old = json.loads(MANIFEST.read_text()) if MANIFEST.is_file() and not force else {}
    files, keys, kept = dict(theme.FONT_FILES), {}, []
    to_merge: list[bytes] = []
    for family, spec in sorted(layout["builds"].items()):
        if spec.get("merge"):  # tiny: always rebuilt, then merged below
            to_merge.append(subset(spec["source"], spec["chars"]))
            continue
        # Rebuild a family only when its characters or source changed (CJK takes seconds).
        key = hashlib.sha256(json.dumps([str(spec["source"]), sorted(spec["chars"]), VERSION]).encode()).hexdigest()
        previous = old.get("files", {}).get(family)
        if previous and old.get("keys", {}).get(family) == key and (ASSETS / previous).is_file():
            files[family], keys[family] = previous, key
            kept.append(ASSETS / previous)
            continue
        data = subset(spec["source"], spec["chars"])
        out = OUT_DIR / f"{family}.{'otf' if data[:4] == b'OTTO' else 'ttf'}"  # CFF or glyf outlines
        out.write_bytes(data)
        files[family], keys[family] = str(out.relative_to(ASSETS)), key
        written.append(out)
    if to_merge:
        out = OUT_DIR / f"{MERGED_NAMES}.ttf"
        out.write_bytes(merge_names(to_merge))
        files[MERGED_NAMES] = str(out.relative_to(ASSETS))
        written.append(out)
    for stale in [*OUT_DIR.glob("*.ttf"), *OUT_DIR.glob("*.otf")]:
        if stale not in written and stale not in kept:
            stale.unlink()
    manifest = {"files": files, "keys": keys, "first": layout["first"], "prefetch": layout["prefetch"],
                "languages": layout["languages"],
                "bytes": {fam: (ASSETS / path).stat().st_size for fam, path in files.items()
                          if (ASSETS / path).is_file()}}
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
    # After marking the BIZ files: their new mtimes are what the next run will see.
    stamp.write_text(json.dumps({"fingerprint": _fingerprint(texts, biz_files)}))
    return written


def _mark_biz(paths: list[Path]) -> list[Path]:
    """Give the BIZ UD files (built by build_fonts) the magenta .notdef too."""
    from fontTools.ttLib import TTFont

    marked = []
    for path in paths:
        if not path.is_file():
            continue
        font = TTFont(path)
        if "COLR" in font:
            continue
        mark_notdef(font)
        font.save(path)
        marked.append(path)
    return marked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    missing = [str(r[0]) for _, r, b in SCRIPT_FONTS.values() for r in (r, b) if not r[0].is_file()]
    missing += [] if SYMBOLS[1][0].is_file() else [str(SYMBOLS[1][0])]
    if missing:
        print(f"build_script_fonts: missing {', '.join(sorted(set(missing)))}: install the Debian "
              "packages fonts-noto-core and fonts-noto-cjk", file=sys.stderr)
        return 1
    started = time.monotonic()
    written = build(force=args.force)
    took = time.monotonic() - started
    if written:
        total = sum(p.stat().st_size for p in written)
        print(f"build_script_fonts: {len(written)} fonts, {total / 1e6:.2f} MB in {took:.1f} s")
    else:
        print(f"build_script_fonts: up to date ({took * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

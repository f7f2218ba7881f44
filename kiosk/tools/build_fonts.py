"""Build assets/fonts/ from the Debian BIZ UD PGothic files, subset for a fast load.

BIZ UD PGothic is the proportional face of BIZ UD Gothic: the same universal-design
kana and kanji, with Latin letters of natural widths (the fixed-width BIZ UD Gothic makes
English read like a terminal).

    python -m kiosk.tools.build_fonts [--force]

Regular keeps every JIS X 0208 kanji (level 1 and 2) so names typed on the kiosk never
show as boxes; Bold keeps level 1 plus every character of the catalogs and city data
(bold text falls back to Regular for anything else). Both keep ASCII, kana, full-width
forms and the symbols the screens use. Idempotent: a stamp of the inputs makes a rerun
with nothing changed take milliseconds.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FONT_DIR = Path("/usr/share/fonts/truetype/bizud-gothic")
OUT_DIR = REPO / "assets" / "fonts"
STAMP = OUT_DIR / ".stamp.json"
# Where the shown texts come from: catalogs, city data, and the screens' own symbols.
TEXT_SOURCES = ("locales/**/*.po", "kiosk/data/**/*.csv", "kiosk/data/**/*.toml", "kiosk/i18n.py",
                "kiosk/flow/*.py", "kiosk/ui/**/*.py")
FONTS = {
    "BIZUDPGothic-Regular.ttf": ("BIZUDPGothic-Regular.ttf", True),
    "BIZUDPGothic-Bold.ttf": ("BIZUDPGothic-Bold.ttf", False),
}
BASE_RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 (¥, ×, ·)
    (0x2010, 0x2027),  # dashes, quotes, bullets
    (0x2190, 0x21FF),  # arrows
    (0x2460, 0x24FF),  # circled numbers
    (0x25A0, 0x25FF),  # ○ △ □ ■
    (0x2600, 0x27BF),  # ✓ (warnings use a Material icon: the font has no ⚠)
    (0x3000, 0x30FF),  # CJK punctuation, hiragana, katakana
    (0xFF00, 0xFFEF),  # full-width forms
)


def _jis_kanji(level2: bool) -> set[int]:
    out = set()
    for cp in range(0x4E00, 0xA000):
        try:
            b = chr(cp).encode("euc_jp")
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and (0xB0 <= b[0] <= 0xCF or (level2 and 0xD0 <= b[0] <= 0xF4)):
            out.add(cp)
    return out


def text_codepoints(root: Path = REPO) -> set[int]:
    cps: set[int] = set()
    for pattern in TEXT_SOURCES:
        for path in sorted(root.glob(pattern)):
            cps.update(ord(ch) for ch in path.read_text(encoding="utf-8", errors="ignore")
                       if ord(ch) >= 0x20)
    return cps


def codepoints(full_kanji: bool, texts: set[int]) -> set[int]:
    cps = set(texts) | _jis_kanji(full_kanji)
    for lo, hi in BASE_RANGES:
        cps.update(range(lo, hi + 1))
    return cps


def subset_font(src: Path, unicodes: set[int]) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # screens scale text; hints only add bytes
    options.drop_tables += ["meta"]
    font = TTFont(src)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def build(force: bool = False, font_dir: Path = FONT_DIR, out_dir: Path = OUT_DIR) -> list[Path]:
    texts = text_codepoints()
    stamp_file = out_dir / STAMP.name
    fingerprint = hashlib.sha256(json.dumps({
        "texts": sorted(texts),
        "sources": {name: (font_dir / src).stat().st_mtime for name, (src, _) in FONTS.items()},
        "version": 2,
    }).encode()).hexdigest()
    outputs = [out_dir / name for name in FONTS]
    if not force and stamp_file.is_file() and all(p.is_file() for p in outputs):
        if json.loads(stamp_file.read_text()).get("fingerprint") == fingerprint:
            return []
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.ttf"):  # fonts of an earlier build the theme no longer names
        if stale.name not in FONTS:
            stale.unlink()
    built = []
    for name, (src, full_kanji) in FONTS.items():
        data = subset_font(font_dir / src, codepoints(full_kanji, texts))
        (out_dir / name).write_bytes(data)
        built.append(out_dir / name)
    stamp_file.write_text(json.dumps({"fingerprint": fingerprint}))
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    missing = [src for src, _ in FONTS.values() if not (FONT_DIR / src).is_file()]
    if missing:
        print(f"build_fonts: missing {', '.join(missing)} in {FONT_DIR}: "
              "install the Debian package fonts-morisawa-bizud-gothic", file=sys.stderr)
        return 1
    started = time.monotonic()
    built = build(force=args.force)
    took = time.monotonic() - started
    if built:
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.2f} MB" for p in built)
        print(f"build_fonts: {sizes} in {took:.1f} s")
    else:
        print(f"build_fonts: up to date ({took * 1000:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Find tofu: text the served fonts cannot draw, on screenshots and before any screenshot.

    python -m kiosk.tools.tofu shot.png [more.png ...]     # magenta .notdef pixels per file
    python -m kiosk.tools.tofu --lang ko --text "예약하기"   # characters ko's fonts lack

Three independent signals, for browser tests (``tests/browser``) and the static check:

- **coverage**: every character of a text is in the cmap of a font the page serves for
  that language (fontTools), so nothing needs a glyph the page does not have;
- **pixels**: every served font draws its .notdef glyph magenta (build_script_fonts),
  so a box that did get drawn is counted in a screenshot, unambiguously (口 is not tofu);
- **fallback requests**: Flutter asks for its own Noto fallback fonts
  (``assets/fonts/notosans…/….woff2``) only for a glyph none of the page's fonts has;
  offline those fail, so any such request is tofu about to be drawn.

    >>> sorted(uncovered("abc", []))
    ['a', 'b', 'c']
    >>> sorted(uncovered("\u0e33", []))  # SARA AM is drawn as NIKHAHIT + SARA AA
    ['\u0e32', '\u0e33', '\u0e4d']
    >>> is_fallback_request("http://127.0.0.1:8550/assets/fonts/notosanskr/v36/x.118.woff2")
    True
    >>> is_fallback_request("http://127.0.0.1:8550/fonts/scripts/NotoSansKR.otf")
    False
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

MAGENTA_MIN = 200  # red and blue at least this, green at most MAGENTA_GREEN_MAX
MAGENTA_GREEN_MAX = 90
_FALLBACK = re.compile(r"/assets/fonts/noto[a-z0-9]+/v\d+/[^/]+\.woff2$", re.IGNORECASE)


@lru_cache(maxsize=64)
def _cmap(path: Path, mtime: float) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(path, lazy=True).getBestCmap())


def coverage(files: Iterable[Path]) -> frozenset[int]:
    """Every codepoint one of ``files`` has a glyph for."""
    out: set[int] = set()
    for path in files:
        out |= _cmap(Path(path), Path(path).stat().st_mtime)
    return frozenset(out)


# Characters HarfBuzz always splits before looking up glyphs (Thai and Lao SARA AM).
SHAPER_SPLITS = {"\u0e33": "\u0e4d\u0e32", "\u0eb3": "\u0ecd\u0eb2"}


def uncovered(text: str, files: Iterable[Path]) -> set[str]:
    """Characters of ``text`` no font in ``files`` has (controls and joiners aside), and
    the parts of those a shaper splits: ำ needs ํ and า."""
    have = coverage(files)
    chars = set(text)
    for ch in list(chars):
        chars.update(SHAPER_SPLITS.get(ch, ""))
    return {ch for ch in chars
            if unicodedata.category(ch) not in ("Cc", "Cf") and ord(ch) not in have}


def magenta_pixels(png: bytes | Path) -> int:
    """How many pixels of a PNG screenshot are the magenta of a .notdef box."""
    import png as pypng

    data = png.read_bytes() if isinstance(png, Path) else png
    width, height, rows, info = pypng.Reader(bytes=data).asRGBA8()
    count = 0
    for row in rows:
        for i in range(0, width * 4, 4):
            r, g, b = row[i], row[i + 1], row[i + 2]
            if r >= MAGENTA_MIN and b >= MAGENTA_MIN and g <= MAGENTA_GREEN_MAX:
                count += 1
    return count


def is_fallback_request(url: str) -> bool:
    """Whether a request is Flutter fetching a fallback font for a glyph it lacks."""
    return bool(_FALLBACK.search(url.split("?")[0]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.tools.tofu", description=__doc__.splitlines()[0])
    parser.add_argument("screenshots", nargs="*", type=Path)
    parser.add_argument("--lang", help="language code whose served fonts to check --text against")
    parser.add_argument("--text", default="")
    args = parser.parse_args(argv)
    status = 0
    for shot in args.screenshots:
        n = magenta_pixels(shot)
        print(f"{shot}: {n} tofu pixel(s)")
        status |= n > 0
    if args.lang:
        from kiosk.ui.fonts import served_files

        missing = uncovered(args.text, served_files(args.lang))
        print(f"{args.lang}: missing {''.join(sorted(missing)) or 'nothing'}")
        status |= bool(missing)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())

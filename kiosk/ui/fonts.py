"""Which fonts a page loads, and in which order its text asks for them, per language.

``kiosk.tools.build_script_fonts`` writes ``assets/fonts/scripts/manifest.json``: the
font files, the few the language screen loads (``first_fonts``: tiny bold fonts of its
title and the languages' own names, about 50 KB), those fetched in the background once
it shows (``prefetch_fonts``: BIZ UD, Latin, symbols), and per language the fonts it
adds (its script's) and the fallback chains of its Regular and Bold text. Choosing a language adds that language's fonts and only those
(``page_fonts``), so a page never downloads what it will not show.

Text styles take their chain from the language the page speaks (``use``), set by
``kiosk.ui.theme.speak`` before a page builds its controls:

    >>> use("ko")
    >>> current()
    'ko'
    >>> use("ja")

Without a manifest (fonts not built yet) everything falls back to BIZ UD Gothic alone.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from kiosk.i18n import DEFAULT_LANGUAGE

ASSETS_DIR = Path(__file__).resolve().parents[2] / "assets"
MANIFEST = "fonts/scripts/manifest.json"

# The language the current page is drawing in. Set (not reset) by ``use``: every Flet
# handler runs in its own task context, and each sets it before building controls.
_language: ContextVar[str] = ContextVar("madoguchi_font_language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=4)
def _read(path: Path, mtime: float) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def manifest(assets_dir: Path = ASSETS_DIR) -> dict | None:
    path = assets_dir / MANIFEST
    try:
        return _read(path, path.stat().st_mtime)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def use(code: str) -> None:
    """Draw the following controls for ``code`` (the current task's context)."""
    _language.set(code)


def current() -> str:
    return _language.get()


def _spec(code: str, assets_dir: Path) -> dict | None:
    data = manifest(assets_dir)
    if data is None:
        return None
    languages = data["languages"]
    return languages.get(code) or languages.get(DEFAULT_LANGUAGE)


def chain(code: str | None = None, *, bold: bool = False,
          assets_dir: Path = ASSETS_DIR) -> tuple[str, list[str]]:
    """(font family, fallback families) of text in ``code`` (default: the current one)."""
    from kiosk.ui import theme

    spec = _spec(code or current(), assets_dir)
    if spec is None:
        return (theme.FONT_BOLD if bold else theme.FONT), [theme.FONT]
    families = spec["bold" if bold else "regular"]
    return families[0], families[1:]


def page_fonts(code: str, assets_dir: Path = ASSETS_DIR) -> dict[str, str]:
    """Family -> asset path of every font a page in ``code`` loads (that exists)."""
    from kiosk.ui import theme

    data, spec = manifest(assets_dir), _spec(code, assets_dir)
    if data is None or spec is None:
        return theme.fonts(assets_dir)
    return {family: data["files"][family] for family in spec["load"]
            if family in data["files"] and (assets_dir / data["files"][family]).is_file()}


def first_fonts(assets_dir: Path = ASSETS_DIR) -> dict[str, str]:
    """Family -> asset path of the fonts of the language screen (before any language)."""
    return _listed("first", assets_dir)


def prefetch_fonts(assets_dir: Path = ASSETS_DIR) -> dict[str, str]:
    """The fonts every language needs (BIZ UD, Latin, symbols): fetched in the
    background once the language screen shows."""
    return _listed("prefetch", assets_dir)


def _listed(key: str, assets_dir: Path) -> dict[str, str]:
    from kiosk.ui import theme

    data = manifest(assets_dir)
    if data is None:
        return theme.fonts(assets_dir)
    return {family: data["files"][family] for family in data.get(key, ())
            if family in data["files"] and (assets_dir / data["files"][family]).is_file()}


def served_files(code: str | None, assets_dir: Path = ASSETS_DIR) -> list[Path]:
    """The font files a page in ``code`` has loaded (None: the language screen's)."""
    fonts = first_fonts(assets_dir) if code is None else page_fonts(code, assets_dir)
    return [assets_dir / path for path in fonts.values()]

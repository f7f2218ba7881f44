"""A city's data texts in more languages: ``translations/<folder>.toml`` beside units.toml.

One file per language, named by its catalog folder (``ko.toml``, ``zh_Hans.toml``,
``pt_BR.toml``, ``ja_easy.toml``), keyed by the ids of units.toml::

    [city]
    names = "미도리시"
    [facilities.chuo-kominkan]
    names = "미도리시립 중앙 공민관"
    description = "..."
    barrier_free = "..."
    [units.chuo-hall]
    names = "홀"
    notes = "..."
    barrier_free = "..."
    [exemptions.disability]
    names = "..."
    [surcharges.piano]
    names = "피아노"
    [blocks.morning]        # only for a city's own block names: the standard
    names = "..."           # morning / afternoon / evening come from the catalogs

A text units.toml itself gives in that language wins; Japanese (from the CSV and
units.toml) is always there as the fallback shown. Adding a language to a city's data is
one file; ``missing_texts`` lists what a language still lacks.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kiosk.i18n import ALL_LANGUAGES, N_

from ._report import ImportReport, Severity
from ._units_toml import UnitsFile

DIRECTORY = "translations"
SOURCE = "translations"
# Which texts each section may carry.
_FIELDS = {
    "city": ("names",),
    "facilities": ("names", "description", "barrier_free"),
    "units": ("names", "notes", "barrier_free"),
    "exemptions": ("names",),
    "surcharges": ("names",),
    "blocks": ("names",),
}


def _merge(base: Mapping[str, str], code: str, text: str) -> dict[str, str]:
    out = dict(base)
    if not out.get(code):  # units.toml's own text for this language wins
        out[code] = text
    return out


def apply_translations(directory: Path, spec: UnitsFile, report: ImportReport) -> None:
    """Merge every ``translations/*.toml`` of ``directory`` into ``spec`` (in place)."""
    folder = directory / DIRECTORY
    if not folder.is_dir():
        return
    codes = {lang.folder: lang.code for lang in ALL_LANGUAGES}
    for path in sorted(folder.glob("*.toml")):
        name = f"{DIRECTORY}/{path.name}"
        code = codes.get(path.stem)
        if code is None:
            report.add(SOURCE, None, name, N_("The file {file} is not named after a language folder of locales/."),
                       Severity.WARNING, file=name)
            continue
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            report.add(SOURCE, None, name, N_("The file {file} is not UTF-8 text."), Severity.WARNING, file=name)
            continue
        except tomllib.TOMLDecodeError as exc:
            report.add(SOURCE, None, name, N_("The file {file} is not valid TOML: {detail}"),
                       Severity.WARNING, file=name, detail=str(exc))
            continue
        for section, key, field, text in _entries(doc, name, report):
            if not _apply(spec, code, section, key, field, text):
                report.add(SOURCE, None, f"{name}: {section}.{key}",
                           N_("\"{key}\" is not in units.toml."), Severity.WARNING, key=f"{section}.{key}")


def _entries(doc: Mapping[str, Any], name: str, report: ImportReport) -> Iterator[tuple[str, str, str, str]]:
    for section, value in doc.items():
        if section not in _FIELDS or not isinstance(value, Mapping):
            report.add(SOURCE, None, f"{name}: {section}", N_("This entry does not have the expected shape."),
                       Severity.WARNING)
            continue
        tables = {"": value} if section == "city" else value
        for key, table in tables.items():
            if not isinstance(table, Mapping):
                report.add(SOURCE, None, f"{name}: {section}.{key}",
                           N_("This entry does not have the expected shape."), Severity.WARNING)
                continue
            for field, text in table.items():
                if field not in _FIELDS[section] or not isinstance(text, str) or not text.strip():
                    report.add(SOURCE, None, f"{name}: {section}.{key}.{field}",
                               N_("This entry does not have the expected shape."), Severity.WARNING)
                    continue
                yield section, key, field, text.strip()


def _apply(spec: UnitsFile, code: str, section: str, key: str, field: str, text: str) -> bool:
    """Set one text; False when its id is not in units.toml."""
    if section == "city":
        spec.names = _merge(spec.names, code, text)
        return True
    if section == "facilities":
        for fx in spec.facilities:
            if fx.id == key:
                setattr(fx, field, _merge(getattr(fx, field), code, text))
                return True
        return False
    if section == "exemptions":
        ex = spec.exemptions.get(key)
        if ex is None:
            return False
        spec.exemptions[key] = dataclasses.replace(ex, names=_merge(ex.names, code, text))
        return True
    found = False
    for i, unit in enumerate(spec.units):
        if section == "units" and unit.id == key:
            spec.units[i] = dataclasses.replace(unit, **{field: _merge(getattr(unit, field), code, text)})
            found = True
        elif section == "surcharges" and any(s.code == key for s in unit.surcharges):
            spec.units[i] = dataclasses.replace(unit, surcharges=tuple(
                dataclasses.replace(s, names=_merge(s.names, code, text)) if s.code == key else s
                for s in unit.surcharges))
            found = True
        elif section == "blocks" and any(b.code == key for b in unit.blocks):
            spec.units[i] = dataclasses.replace(unit, blocks=tuple(
                dataclasses.replace(b, names=_merge(b.names, code, text)) if b.code == key else b
                for b in unit.blocks))
            found = True
    return found


def missing_texts(city, code: str) -> list[str]:
    """Where the city's data has a Japanese text but none in ``code`` (shown in Japanese).

    Block names are not listed: the standard ones come from the catalogs.
    """
    out = []

    def need(where: str, text: Mapping[str, str]) -> None:
        if text.get("ja") and not text.get(code):
            out.append(where)

    need("city.names", city.name)
    for f in city.facilities:
        need(f"facilities.{f.id}.names", f.names)
        need(f"facilities.{f.id}.description", f.description)
        need(f"facilities.{f.id}.barrier_free", f.barrier_free)
    surcharges = {}
    for u in city.units:
        need(f"units.{u.id}.names", u.names)
        need(f"units.{u.id}.notes", u.notes)
        need(f"units.{u.id}.barrier_free", u.barrier_free)
        surcharges.update({s.code: s.names for s in u.surcharges})
    for code_, names in sorted(surcharges.items()):
        need(f"surcharges.{code_}.names", names)
    for ex in city.exemptions.values():
        need(f"exemptions.{ex.code}.names", ex.names)
    return out

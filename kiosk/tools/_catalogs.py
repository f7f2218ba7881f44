"""Shared catalog work: extract the template, update, compile and check catalogs."""

from __future__ import annotations

import io
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[2]
LOCALES = REPO / "locales"
TEMPLATE = LOCALES / "messages.pot"
SOURCE_DIRS = ("kiosk", "sync")
KEYWORDS = {"N_": None, "NP_": (1, 2), "_": None, "gettext": None, "ngettext": (1, 2)}
METHOD_MAP = [("**/tests/**.py", "ignore"), ("**.py", "python")]
SOURCE_LANGUAGE = "en"  # message ids are English: the en catalog copies them


def catalog_dirs(staged: bool = False) -> dict[str, str]:
    """Our language code -> catalog folder, for every shipped (and staged) language."""
    from kiosk.i18n import ALL_LANGUAGES

    return {lang.code: lang.folder for lang in ALL_LANGUAGES if staged or not lang.staged}


def staged_dirs() -> dict[str, str]:
    """Our language code -> catalog folder, for the prepared languages not yet shipped."""
    from kiosk.i18n import STAGED_LANGUAGES

    return {lang.code: lang.folder for lang in STAGED_LANGUAGES}


def plural_forms(folder: str) -> str:
    """The gettext Plural-Forms header from the language's CLDR plural rules (Babel).

    Counts on the kiosk are whole numbers shown without compact notation, so CLDR's
    exponent operand ``e`` is 0 (Python's gettext knows only ``n``).

    >>> plural_forms("ko")
    'nplurals=1; plural=(0);'
    >>> plural_forms("ne")
    'nplurals=2; plural=(((n == 1)) ? 0 : 1);'
    """
    import re

    from babel import Locale
    from babel.plural import to_gettext

    rule = to_gettext(Locale.parse(babel_locale(folder)).plural_form)
    return re.sub(r"\be\b", "0", rule)


def po_path(folder: str, root: Path = LOCALES) -> Path:
    return root / folder / "LC_MESSAGES" / "messages.po"


def extract(root: Path = REPO) -> Catalog:
    """A fresh template from the code (no dates, so it only changes when messages do)."""
    catalog = Catalog(project="Madoguchi", version="0.1", msgid_bugs_address="",
                      copyright_holder="Madoguchi contributors", charset="utf-8", fuzzy=False)
    for directory in SOURCE_DIRS:
        base = root / directory
        if not base.is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(base), METHOD_MAP, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            catalog.add(message, None, [(f"{directory}/{filename}", lineno)],
                        auto_comments=comments, context=context)
    return catalog


def serialize_po(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False,
             omit_header=False, ignore_obsolete=True)
    # Drop the volatile date lines so reruns with nothing new leave the file as it was.
    lines = [line for line in buffer.getvalue().splitlines(keepends=True)
             if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date'))]
    return b"".join(lines)


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def message_keys(catalog: Catalog) -> set:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:  # unbalanced braces: report as its own problem
        return {"<unbalanced braces>"}


def babel_locale(folder: str) -> str:
    return "ja" if folder.startswith("ja") else folder


def update(folder: str, template: Catalog, root: Path = LOCALES) -> Catalog:
    """Merge the template into one language's catalog (new ids untranslated, not fuzzy)."""
    path = po_path(folder, root)
    if path.is_file():
        catalog = read_catalog(path, babel_locale(folder))
    else:
        catalog = Catalog(locale=babel_locale(folder), project="Madoguchi", version="0.1",
                          charset="utf-8", fuzzy=False)
        catalog.mime_headers = [("Plural-Forms", plural_forms(folder))]
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
    catalog.fuzzy = False
    for message in list(catalog.obsolete):
        del catalog.obsolete[message]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(serialize_po(catalog))
    # Re-read before filling English: messages new in this update did not take the
    # copied text when set on the merged catalog directly.
    catalog = read_catalog(path, babel_locale(folder))
    if folder == SOURCE_LANGUAGE:
        for message in catalog:
            strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
            if message.id and not all(strings):
                message.string = message.id if isinstance(message.id, str) else tuple(message.id)
    for message in list(catalog.obsolete):
        del catalog.obsolete[message]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(serialize_po(catalog))
    return catalog


def compile_catalog(po: Path) -> Path:
    folder = po.parent.parent.name
    catalog = read_catalog(po, babel_locale(folder))
    mo = po.with_suffix(".mo")
    with mo.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    return mo


@dataclass(frozen=True)
class Problem:
    where: str
    message_id: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.message_id!r}"


def check(root: Path = REPO, languages: Iterable[str] | None = None) -> list[Problem]:
    """Everything that would show a resident an untranslated or broken text."""
    problems: list[Problem] = []
    locales = root / "locales"
    template_path = locales / "messages.pot"
    fresh = message_keys(extract(root))
    if not template_path.is_file():
        return [Problem(str(template_path), "", "missing: run python -m kiosk.tools.extract")]
    template = message_keys(read_catalog(template_path))
    for key in sorted(fresh - template, key=str):
        problems.append(Problem("messages.pot", str(key), "stale template: in the code, not in the .pot"))
    for key in sorted(template - fresh, key=str):
        problems.append(Problem("messages.pot", str(key), "stale template: in the .pot, no longer in the code"))
    folders = catalog_dirs(staged=True)
    for code in languages or catalog_dirs():
        folder = folders[code]
        path = po_path(folder, locales)
        where = f"{folder}/messages.po"
        if not path.is_file():
            problems.append(Problem(where, "", "catalog missing"))
            continue
        catalog = read_catalog(path, babel_locale(folder))
        expected_plurals = int(plural_forms(folder).split(";")[0].split("=")[1])
        if catalog.num_plurals != expected_plurals:
            problems.append(Problem(where, "", f"Plural-Forms has {catalog.num_plurals} forms; "
                                    f"CLDR says {expected_plurals}: {plural_forms(folder)}"))
        keys = message_keys(catalog)
        for key in sorted(fresh - keys, key=str):
            problems.append(Problem(where, str(key), "message missing from the catalog"))
        for message in catalog:
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
            if message.fuzzy:
                problems.append(Problem(where, ids[0], "fuzzy"))
            if not any(strings) or not all(strings):
                problems.append(Problem(where, ids[0], "untranslated"))
                continue
            expected = placeholders(ids[0]) | (placeholders(ids[1]) if len(ids) > 1 else set())
            for text in strings:
                got = placeholders(text)
                if got - expected:
                    problems.append(Problem(where, ids[0], f"extra placeholder(s) {sorted(got - expected)}"))
                if len(ids) == 1 and expected - got:
                    problems.append(Problem(where, ids[0], f"missing placeholder(s) {sorted(expected - got)}"))
                if len(ids) > 1 and "n" in expected and "n" not in got:
                    problems.append(Problem(where, ids[0], "missing placeholder(s) ['n']"))
    return problems

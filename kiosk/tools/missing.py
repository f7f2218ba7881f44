"""What a catalog still lacks before its language can ship (or after new messages).

    python -m kiosk.tools.missing                    # every staged language
    python -m kiosk.tools.missing ko vi              # these languages (shipped or staged)
    python -m kiosk.tools.missing --todo todo.json   # also write what to translate

For each language: messages missing or untranslated, fuzzy ones, lost {placeholders}
(check_catalogs' rules) and glossary or copy problems (check_glossary's). ``--todo``
writes ``{folder: {message id: ""}}`` (a list of empty forms for a plural message);
fill in the strings and load them with ``python -m kiosk.tools.fill_catalog todo.json``
(empty strings are skipped). Run ``python -m kiosk.tools.extract`` first so every
catalog has the current messages. Exit status 1 when anything is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from kiosk.tools import _catalogs as C
from kiosk.tools import check_glossary


def untranslated(code: str, root: Path = C.REPO) -> list[str | tuple[str, str]]:
    """Message ids of the template that ``code``'s catalog does not translate yet."""
    folder = C.catalog_dirs(staged=True)[code]
    template = C.read_catalog(root / "locales" / "messages.pot")
    path = C.po_path(folder, root / "locales")
    done: set = set()
    if path.is_file():
        for message in C.read_catalog(path, C.babel_locale(folder)):
            strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
            if message.id and strings and all(strings) and not message.fuzzy:
                done.add(message.id if isinstance(message.id, str) else tuple(message.id))
    out = []
    for message in template:
        key = message.id if isinstance(message.id, str) else tuple(message.id)
        if message.id and key not in done:
            out.append(key)
    return out


def report(codes: list[str], root: Path = C.REPO) -> dict[str, list[str]]:
    """Language code -> its problems as lines (empty when ready to ship)."""
    out: dict[str, list[str]] = defaultdict(list)
    for problem in C.check(root, codes):
        code = _code_of(problem.where)
        if code:
            out[code].append(f"{problem.what}: {problem.message_id!r}")
    for problem in check_glossary.check(codes, root):
        code = _code_of(problem.where) or ""
        out[code].append(f"{problem.what}: {problem.message_id!r}")
    return {code: out.get(code, []) for code in codes} | ({"": out[""]} if out.get("") else {})


def _code_of(where: str) -> str | None:
    folder = where.split("/")[0]
    for code, known in C.catalog_dirs(staged=True).items():
        if known == folder:
            return code
    return None


def todo(codes: list[str], root: Path = C.REPO) -> dict[str, dict[str, object]]:
    folders = C.catalog_dirs(staged=True)
    out: dict[str, dict[str, object]] = {}
    for code in codes:
        folder = folders[code]
        plurals = int(C.plural_forms(folder).split(";")[0].split("=")[1])
        entries: dict[str, object] = {}
        for key in untranslated(code, root):
            if isinstance(key, tuple):
                entries[key[0]] = [""] * plurals
            else:
                entries[key] = ""
        if entries:
            out[folder] = entries
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.tools.missing",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("languages", nargs="*", help="language codes (default: every staged one)")
    parser.add_argument("--todo", type=Path, help="write the untranslated messages as JSON here")
    args = parser.parse_args(argv)
    known = C.catalog_dirs(staged=True)
    codes = args.languages or list(C.staged_dirs())
    unknown = [code for code in codes if code not in known]
    if unknown:
        print(f"missing: unknown language code(s) {unknown}; known: {list(known)}", file=sys.stderr)
        return 2
    problems = report(codes)
    for code, lines in problems.items():
        print(f"{code or 'glossary'}: {'ready' if not lines else f'{len(lines)} problem(s)'}")
        for line in lines:
            print(f"  {line}")
    if args.todo:
        args.todo.write_text(json.dumps(todo(codes), ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"missing: wrote {args.todo}")
    return 1 if any(problems.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

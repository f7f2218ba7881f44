"""Fill translations into catalogs from a JSON file, without hand-editing .po files.

    python -m kiosk.tools.fill_catalog translations.json [--overwrite]

The file maps a catalog folder to {English message id: translation}::

    {"ja": {"Back": "戻る"}, "ja_easy": {"Back": "もどる"}}

For a plural message, give a list of forms. Unknown ids are reported, not added (run
``python -m kiosk.tools.extract`` first). Existing translations are kept unless
``--overwrite``; empty strings are skipped (``python -m kiosk.tools.missing --todo``
writes such a file of what is left to translate).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.tools import _catalogs as C


def fill(folder: str, table: dict, overwrite: bool = False) -> tuple[int, list[str]]:
    """Set translations in one catalog; returns (how many set, ids not in the catalog)."""
    path = C.po_path(folder)
    catalog = C.read_catalog(path, C.babel_locale(folder))
    index = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
    done, unknown = 0, []
    for msgid, text in table.items():
        if not text or (isinstance(text, list) and not all(text)):
            continue  # still to translate
        message = index.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        has = message.string if isinstance(message.string, str) else any(message.string or ())
        if has and not overwrite:
            continue
        message.string = tuple(text) if isinstance(text, list) else text
        message.flags.discard("fuzzy")
        done += 1
    path.write_bytes(C.serialize_po(catalog))
    return done, unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.tools.fill_catalog")
    parser.add_argument("file", type=Path)
    parser.add_argument("--overwrite", action="store_true")
    args = parser.parse_args(argv)
    data = json.loads(args.file.read_text(encoding="utf-8"))
    status = 0
    for folder, table in data.items():
        done, unknown = fill(folder, table, args.overwrite)
        print(f"fill_catalog: {folder}: {done} set")
        for msgid in unknown:
            print(f"fill_catalog: {folder}: not in the catalog: {msgid!r}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

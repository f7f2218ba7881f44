"""A git merge driver for gettext catalogs: merge by message, not by line.

Two branches that each add messages to ``locales/*/messages.po`` touch the same sorted
file; a line merge then conflicts on every neighbouring entry. This merges message by
message: messages added on either side are kept, messages removed on one side (and
untouched on the other) go, and a translation changed on one side wins over the
ancestor's. When both sides changed the same translation differently, ours is kept and
the clash is printed; ``check_catalogs`` still judges the result.

Set up once per clone (``scripts/setup.sh`` does it)::

    git config merge.po.name "gettext catalogs, by message"
    git config merge.po.driver ".venv/bin/python -m kiosk.tools.po_merge %O %A %B"

with ``.gitattributes`` naming ``locales/**/*.po`` and ``locales/*.pot``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog

from kiosk.tools import _catalogs as C


def _key(message) -> object:
    return (message.context, message.id if isinstance(message.id, str) else tuple(message.id))


def _index(catalog: Catalog) -> dict:
    return {_key(m): m for m in catalog if m.id}


def merge(base: Catalog, ours: Catalog, theirs: Catalog) -> tuple[Catalog, list[str]]:
    """``ours`` updated with what ``theirs`` changed since ``base``; and the clashes."""
    b, o, t = _index(base), _index(ours), _index(theirs)
    clashes: list[str] = []
    for key, message in t.items():
        if key not in o:
            if key not in b:  # added on their side
                ours[message.id] = message
                ours.get(message.id, message.context).string = message.string
            continue  # removed on our side
        mine = o[key]
        old = b[key].string if key in b else None
        if message.string == mine.string or message.string == old:
            continue
        if mine.string == old or not mine.string:
            mine.string = message.string
            mine.flags = set(message.flags)
        else:
            clashes.append(f"{key[1]!r}: kept ours {mine.string!r}, not theirs {message.string!r}")
    for key in list(o):
        if key in b and key not in t:  # removed on their side
            mine = o[key]
            if mine.string == b[key].string:
                ours.delete(mine.id, mine.context)
    return ours, clashes


def main(argv: list[str] | None = None) -> int:
    base_path, ours_path, theirs_path = map(Path, (argv or sys.argv[1:])[:3])
    locale = None
    catalogs = []
    for path in (base_path, ours_path, theirs_path):
        catalogs.append(C.read_catalog(path, locale) if path.stat().st_size else Catalog())
    merged, clashes = merge(*catalogs)
    ours_path.write_bytes(C.serialize_po(merged))
    for clash in clashes:
        print(f"po_merge: {clash}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

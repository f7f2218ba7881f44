"""Extract locales/messages.pot from kiosk/ and sync/, and update every catalog.

    python -m kiosk.tools.extract

New messages arrive untranslated (never fuzzy-guessed) in every catalog, shipped and
staged; the English catalog copies the English message ids. Then translate (shipped
languages at once; staged ones before they ship, see ``python -m kiosk.tools.missing``),
and run check_catalogs.
"""

from __future__ import annotations

import sys

from kiosk.tools import _catalogs as C


def main(argv: list[str] | None = None) -> int:
    template = C.extract()
    C.TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    C.TEMPLATE.write_bytes(C.serialize_po(template))
    print(f"extract: {len(C.message_keys(template))} messages -> {C.TEMPLATE.relative_to(C.REPO)}")
    for code, folder in C.catalog_dirs(staged=True).items():
        catalog = C.update(folder, template)
        missing = sum(1 for m in catalog if m.id and not m.string)
        print(f"extract: {folder}: {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

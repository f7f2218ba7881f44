"""Compile locales/*/LC_MESSAGES/*.po to .mo (fuzzy entries left out).

    python -m kiosk.tools.compile_catalogs

A catalog is compiled again when its .po's content changed, not when its time stamp
did: a git checkout or merge can leave a .po older than a .mo built from another
version of it, and a stale .mo shows residents English.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from kiosk.tools import _catalogs as C


def _digest(po: Path) -> str:
    return hashlib.sha256(po.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    done = []
    for po in sorted(C.LOCALES.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        stamp = po.with_suffix(".mo.sha256")
        digest = _digest(po)
        if mo.is_file() and stamp.is_file() and stamp.read_text() == digest:
            continue
        C.compile_catalog(po)
        stamp.write_text(digest)
        done.append(po.parent.parent.name)
    print(f"compile_catalogs: {', '.join(done) if done else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fail on any untranslated or fuzzy message, a missing/extra {placeholder} in a shipped
language, or a template that no longer matches the code.

    python -m kiosk.tools.check_catalogs
"""

from __future__ import annotations

import sys

from kiosk.tools import _catalogs as C


def main(argv: list[str] | None = None) -> int:
    problems = C.check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"check_catalogs: {len(problems)} problem(s); see docs/i18n.md", file=sys.stderr)
        return 1
    print("check_catalogs: every shipped catalog is complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Check a city's data before a kiosk uses it: what imports, and every problem by line.

    python -m kiosk.tools.check_city DIR [--lang ja|ja-easy|en] [--export OUT.csv]

``DIR`` holds ``facilities.csv`` (公共施設一覧, UTF-8 with or without BOM, or
Shift_JIS/CP932) and ``units.toml``. Exit status 0 when nothing had to be skipped, 1
when some rows or entries were (they are listed), 2 when nothing could be imported.
``--export`` writes the facilities back as a 公共施設一覧 CSV to publish.

    >>> from kiosk.opendata import sample_city_dir
    >>> main([str(sample_city_dir()), "--lang", "en"])
    Midori City (122999): 8 facilities and 26 units imported (facilities.csv read as UTF-8).
    No problems found.
    0
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kiosk.i18n import LANGUAGES_BY_CODE, N_, Translator
from kiosk.opendata import CityData, Severity, load_city

SUMMARY = N_("{city} ({code}): {facilities} facilities and {units} units imported "
             "(facilities.csv read as {encoding}).")
NO_PROBLEMS = N_("No problems found.")
COUNTS = N_("{errors} skipped, {warnings} imported with a default value:")
SKIPPED = N_("skipped")
DEFAULTED = N_("default used")
WHERE_ROW = N_("{file} line {row}, {column}")
WHERE_ENTRY = N_("{file} entry {row}, {column}")
WHERE_FILE = N_("{file}")
EXPORTED = N_("Facilities written to {path}.")
ENCODINGS = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp932": "Shift_JIS (CP932)"}


def report_lines(city: CityData, t: Translator) -> list[str]:
    """The import report as lines of text in the staff member's language."""
    r = city.report
    lines = [t(SUMMARY, city=city.name.get(t.code) or city.name.get("ja") or "?",
               code=city.code or "?", facilities=len(city.facilities), units=len(city.units),
               encoding=ENCODINGS.get(r.encoding, r.encoding or "?"))]
    if not r.issues:
        return lines + [t(NO_PROBLEMS)]
    lines.append(t(COUNTS, errors=len(r.errors), warnings=len(r.warnings)))
    for issue in r.issues:
        if issue.row is None:
            where = t(WHERE_FILE, file=issue.source)
        else:
            template = WHERE_ROW if issue.source.endswith(".csv") else WHERE_ENTRY
            where = t(template, file=issue.source, row=issue.row, column=issue.column)
        what = t(SKIPPED if issue.severity is Severity.ERROR else DEFAULTED)
        lines.append(f"  [{what}] {where}: {issue.render(t.gettext)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.tools.check_city",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--lang", default="ja", choices=sorted(LANGUAGES_BY_CODE))
    parser.add_argument("--export", type=Path, help="write the facilities as 公共施設一覧 CSV")
    args = parser.parse_args(argv)
    t = Translator(args.lang)
    city = load_city(args.directory)
    for line in report_lines(city, t):
        print(line)
    if args.export is not None and city.facilities:
        args.export.write_bytes(city.facilities_csv())
        print(t(EXPORTED, path=args.export))
    if not city.facilities or not city.units:
        return 2
    return 1 if city.report.errors else 0


if __name__ == "__main__":
    sys.exit(main())

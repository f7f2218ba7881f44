"""Write facilities back to the 公共施設一覧 CSV, as the national templates do:
UTF-8 with a BOM (so Excel opens it) and CRLF line ends.

When a facility still matches the row it was imported from, the row's original text
is written back unchanged ("火曜日～日曜日" stays as written); values that changed are
written in a canonical form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

from kiosk.domain.model import Facility

from ._facilities_csv import (
    COLUMNS,
    _read_row,
    format_open_days,
    format_special_notes,
    format_time,
)
from ._report import ImportReport


def facilities_csv_bytes(
    facilities: Sequence[Facility],
    *,
    city_code: str,
    prefecture: str,
    city_name: str,
    numbers: Mapping[str, int] | None = None,
    records: Mapping[str, Mapping[str, str]] | None = None,
) -> bytes:
    """The CSV file's bytes. ``numbers``: facility id -> NO; ``records``: id -> raw row."""
    numbers = dict(numbers or {})
    records = records or {}
    next_no = max(numbers.values(), default=0) + 1
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for facility in facilities:
        no = numbers.get(facility.id)
        if no is None:
            no, next_no = next_no, next_no + 1
        record = dict(records.get(facility.id, {}))
        writer.writerow([_cell(column, facility, no, record, city_code, prefecture, city_name)
                         for column in COLUMNS])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_facilities_csv(path: Path | str, facilities: Sequence[Facility], **kwargs) -> Path:
    path = Path(path)
    path.write_bytes(facilities_csv_bytes(facilities, **kwargs))
    return path


def _cell(column: str, f: Facility, no: int, record: dict[str, str],
          city_code: str, prefecture: str, city_name: str) -> str:
    original = _read_row(record, 0, ImportReport()) if record else None
    before = original.facility if original else None
    raw = record.get(column, "")

    def text(value: str) -> str:
        # Keep the original spelling (spaces included) when only trimming differs.
        return raw if raw.strip() == value else value

    match column:
        case "都道府県コード又は市区町村コード":
            return raw or city_code
        case "NO":
            return raw if before and original.no == no else str(no)
        case "都道府県名":
            return raw or prefecture
        case "市区町村名":
            return raw or city_name
        case "名称":
            return text(f.names.get("ja", ""))
        case "名称_カナ":
            return text(f.kana)
        case "住所":
            return text(f.address)
        case "緯度" | "経度":
            value = f.latitude if column == "緯度" else f.longitude
            old = (before.latitude if column == "緯度" else before.longitude) if before else None
            if before and old == value:
                return raw
            return "" if value is None else repr(value)
        case "電話番号":
            return text(f.phone)
        case "URL":
            return text(f.url)
        case "説明":
            return text(f.description.get("ja", ""))
        case "バリアフリー情報":
            return text(f.barrier_free.get("ja", ""))
        case "利用可能曜日" | "利用可能日時特記事項":
            if before and before.closures == f.closures:
                return raw
            if column == "利用可能曜日":
                return format_open_days(f.closures.weekly_closed)
            return format_special_notes(f.closures)
        case "開始時間":
            return raw if before and before.opening.opens == f.opening.opens else format_time(f.opening.opens)
        case "終了時間":
            return raw if before and before.opening.closes == f.opening.closes else format_time(f.opening.closes)
        case _:
            return raw  # columns the domain does not model: written back as imported

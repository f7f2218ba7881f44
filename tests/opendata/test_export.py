"""Publishing the facility list back in the national format, and reading it again."""

import csv
import dataclasses
import io
import shutil
from datetime import date, time
from pathlib import Path

from kiosk.domain.model import ClosureCalendar, Facility, OpeningHours
from kiosk.opendata import (
    COLUMNS,
    ImportReport,
    facilities_csv_bytes,
    load_city,
    read_facilities,
    sample_city_dir,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_unchanged_city_exports_byte_for_byte():
    city = load_city(sample_city_dir())
    data = city.facilities_csv()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data == (sample_city_dir() / "facilities.csv").read_bytes()
    lines = data[3:].split(b"\r\n")
    assert lines[-1] == b"" and len(lines) == 1 + len(city.facilities) + 1
    assert b"\n" not in b"".join(lines)


def test_cp932_import_publishes_as_utf8_bom(tmp_path: Path):
    shutil.copy(sample_city_dir() / "units.toml", tmp_path)
    shutil.copy(FIXTURES / "facilities_cp932.csv", tmp_path / "facilities.csv")
    city = load_city(tmp_path)
    assert city.report.encoding == "cp932" and city.report.issues == []
    assert city.facilities_csv() == (sample_city_dir() / "facilities.csv").read_bytes()


def test_changed_facilities_round_trip(tmp_path: Path):
    city = load_city(sample_city_dir())
    changed = list(city.facilities)
    changed[0] = dataclasses.replace(
        changed[0], opening=OpeningHours(time(8, 30), time(22)),
        closures=ClosureCalendar(weekly_closed=frozenset({0, 3}), year_end_closure=False,
                                 closed_dates=frozenset({date(2027, 5, 6)})),
        names={**changed[0].names, "ja": "みどり市立中央公民館（新館）"}, latitude=35.5)
    city = dataclasses.replace(city, facilities=tuple(changed))
    (tmp_path / "facilities.csv").write_bytes(city.facilities_csv())
    shutil.copy(sample_city_dir() / "units.toml", tmp_path)
    shutil.copytree(sample_city_dir() / "translations", tmp_path / "translations")
    again = load_city(tmp_path)
    assert again.report.issues == []
    assert again.facilities == city.facilities
    row = next(csv.DictReader(io.StringIO((tmp_path / "facilities.csv").read_bytes()[3:].decode())))
    assert row["利用可能曜日"] == "火水金土日"
    assert row["開始時間"] == "8:30" and row["終了時間"] == "22:00"
    assert row["利用可能日時特記事項"] == "2027年5月6日休館"
    assert row["備考"] == "架空の市のサンプルデータです"  # unmodelled columns survive


def test_export_of_new_facilities_without_source_rows():
    facilities = [
        Facility(id="new-hall", names={"ja": "新ホール"}, address="千葉県みどり市1",
                 latitude=35.1, longitude=140.2,
                 closures=ClosureCalendar(weekly_closed=frozenset({6}))),
        Facility(id="new-room", names={"ja": "新会議室"}),
    ]
    data = facilities_csv_bytes(facilities, city_code="122999", prefecture="千葉県", city_name="みどり市",
                                numbers={"new-room": 5})
    rows = list(csv.reader(io.StringIO(data[3:].decode(), newline="")))
    assert tuple(rows[0]) == COLUMNS
    first = dict(zip(COLUMNS, rows[1]))
    assert first["NO"] == "6" and first["都道府県名"] == "千葉県" and first["市区町村名"] == "みどり市"
    assert first["利用可能曜日"] == "月火水木金土"
    assert first["利用可能日時特記事項"] == "年末年始(12月29日～1月3日)休館"
    report = ImportReport()
    back = read_facilities(data, report)
    assert report.issues == []
    assert [r.no for r in back] == [6, 5]
    for row, f in zip(back, facilities):
        assert dataclasses.replace(row.facility, id=f.id) == f

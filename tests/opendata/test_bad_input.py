"""Bad rows and entries are reported one by one; good ones still import; nothing raises."""

import shutil
from pathlib import Path

import pytest

from kiosk.i18n import Translator
from kiosk.opendata import COLUMNS, Severity, load_city, sample_city_dir


def _csv(rows: list[dict[str, str]], encoding="utf-8-sig") -> bytes:
    import csv
    import io

    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([r.get(c, "") for c in COLUMNS])
    return out.getvalue().encode(encoding)


@pytest.fixture
def city_dir(tmp_path: Path) -> Path:
    shutil.copy(sample_city_dir() / "units.toml", tmp_path / "units.toml")
    return tmp_path


def good(no: int, **kw) -> dict[str, str]:
    row = {"都道府県コード又は市区町村コード": "122999", "NO": str(no), "名称": f"施設{no}",
           "利用可能曜日": "火～日", "開始時間": "9:00", "終了時間": "21:00"}
    row.update(kw)
    return row


def test_bad_rows_are_reported_and_good_rows_import(city_dir: Path):
    rows = [
        good(1),                                   # line 2: fine
        good(2, NO="二"),                           # line 3: NO not a number -> skipped
        good(3, 名称=" "),                           # line 4: no name -> skipped
        good(4, 利用可能曜日="月火X"),                 # line 5: bad day -> warning, imports
        good(5, 開始時間="25:00"),                     # line 6: bad time -> warning, imports
        good(6, 緯度="abc", 経度="200"),               # line 7: two bad coordinates
        good(1, 名称="重複"),                          # line 8: duplicate NO -> skipped
        good(7, 開始時間="21:00", 終了時間="9:00"),      # line 9: closes before it opens
        {},                                         # line 10: blank line -> ignored
        good(8, 都道府県コード又は市区町村コード="131016"),  # line 11: another city's code
    ]
    (city_dir / "facilities.csv").write_bytes(_csv(rows))
    city = load_city(city_dir)
    report = city.report
    found = {(i.row, i.column, i.severity) for i in report.issues if i.source == "facilities.csv"}
    assert (3, "NO", Severity.ERROR) in found
    assert (4, "名称", Severity.ERROR) in found
    assert (5, "利用可能曜日", Severity.WARNING) in found
    assert (6, "開始時間", Severity.WARNING) in found
    assert (7, "緯度", Severity.WARNING) in found and (7, "経度", Severity.WARNING) in found
    assert (8, "NO", Severity.ERROR) in found
    assert (9, "終了時間", Severity.WARNING) in found
    assert (11, "都道府県コード又は市区町村コード", Severity.WARNING) in found
    assert not any(i.row == 10 and i.source == "facilities.csv" for i in report.issues)
    names = [f.names["ja"] for f in city.facilities]
    assert names == ["施設1", "施設4", "施設5", "施設6", "施設7", "施設8"]
    by_name = {f.names["ja"]: f for f in city.facilities}
    assert by_name["施設4"].closures.weekly_closed == frozenset()  # unreadable: open every day
    assert by_name["施設6"].latitude is None
    # Every issue renders as a full sentence, in English and through a Translator.
    t = Translator("en")
    for issue in report.issues:
        text = issue.render(t.gettext)
        assert text and "{" not in text, issue
        assert issue.render() == issue.message.format(**issue.params)
    assert any("25:00" in i.render() for i in report.issues)


def test_units_of_unknown_facilities_are_reported(city_dir: Path):
    (city_dir / "facilities.csv").write_bytes(_csv([good(1)]))
    city = load_city(city_dir)
    assert city.facilities[0].id == "chuo-kominkan"
    assert {u.facility_id for u in city.units} == {"chuo-kominkan"}
    unknown = [i for i in city.report.errors if i.column == "units.facility"]
    assert unknown and all("{" not in i.render() for i in unknown)
    assert any(i.column == "facilities.no" and i.severity is Severity.WARNING for i in city.report.issues)


@pytest.mark.parametrize("data, message_part", [
    (b"", "empty"),
    (b"\x82\xa0\x81\x20", "neither UTF-8 nor Shift_JIS"),
    ("名称,住所\r\nx,y\r\n".encode(), "required column"),
    (b'NO,\xe5\x90\x8d\xe7\xa7\xb0\r\n1,"broken\r\n', "not valid CSV"),
])
def test_unreadable_csv_files(city_dir: Path, data: bytes, message_part: str):
    (city_dir / "facilities.csv").write_bytes(data)
    city = load_city(city_dir)
    assert city.facilities == ()
    assert any(message_part in i.render() for i in city.report.errors), city.report.issues


def test_missing_files(tmp_path: Path):
    city = load_city(tmp_path)
    assert city.facilities == () and city.units == ()
    assert {i.source for i in city.report.errors} == {"facilities.csv", "units.toml"}


BAD_UNITS = """
[city]
code = "12299"
names = { ja = "みどり市" }
resident_address_prefixes = "千葉県みどり市"

[rules]
max_slots = 3

[exemptions.half]
percent = 150
names = { ja = "半額" }

[exemptions.ok]
percent = 50
names = { ja = "よい" }

[surcharges.piano]
basis = "per_hour"

[[facilities]]
no = 1
id = "Central Hall"

[[units]]
id = "u1"
facility = "facility-1"
category = "pool"
names = { ja = "プール" }
capacity = 10
rates = { morning = [1, 2], afternoon = [1, 2], evening = [1, 2] }

[[units]]
id = "u2"
facility = "facility-1"
category = "hall"
names = { ja = "ホール" }
capacity = 10
rates = { morning = [1, 2] }

[[units]]
id = "u3"
facility = "facility-1"
category = "hall"
names = { ja = "ホール" }
capacity = 10
rates = { hour = [1, 2] }
mode = "hourly"
surcharges = { piano = [1, 2] }

[[units]]
id = "u4"
facility = "facility-1"
category = "hall"
names = { ja = "ホール" }
capacity = "ten"
mode = "hourly"
rates = { hour = [1, 2] }

[[units]]
id = "u5"
facility = "facility-1"
category = "gym"
names = { ja = "体育館" }
capacity = 100
mode = "hourly"
rates = { hour = [700, 1400] }
rules = { max_slots_per_booking = 2 }

[[units]]
id = "u5"
facility = "facility-1"
category = "gym"
names = "体育館"
capacity = 100
mode = "hourly"
rates = { hour = [700, 1400] }

[[units]]
id = "u6"
facility = "facility-1"
category = "hall"
names = { ja = "ホール" }
capacity = 10
blocks = [{ code = "night", start = "21:00", end = "18:00" }]
rates = { night = [1, 2] }

[[units]]
"not a table" = 1
"""


def test_bad_units_toml_entries(city_dir: Path):
    (city_dir / "facilities.csv").write_bytes(_csv([good(1)]))
    (city_dir / "units.toml").write_text(BAD_UNITS, encoding="utf-8")
    city = load_city(city_dir)
    where = {(i.row, i.column) for i in city.report.errors}
    assert (None, "city.code") in where
    assert (None, "rules") in where
    assert any(c.startswith("exemptions") for _, c in where)
    assert any(c.startswith("surcharges") for _, c in where)
    assert (1, "facilities.id") in where
    assert (1, "units.category") in where
    assert (2, "units.rates") in where
    assert (3, "units.surcharges.piano") in where  # its definition was rejected
    assert (4, "units.capacity") in where
    assert (6, "units.id") in where
    assert (7, "units.blocks[1]") in where
    assert any(r == 8 for r, _ in where)
    assert [u.id for u in city.units] == ["u5"]
    assert city.units[0].rules.max_slots_per_booking == 2
    assert list(city.exemptions) == ["ok"]
    for issue in city.report.issues:
        assert "{" not in issue.render(Translator("ja").gettext)


def test_invalid_toml_syntax_is_reported(city_dir: Path):
    (city_dir / "facilities.csv").write_bytes(_csv([good(1)]))
    (city_dir / "units.toml").write_text("[city\ncode = 1", encoding="utf-8")
    city = load_city(city_dir)
    assert len(city.facilities) == 1 and city.units == ()
    assert any("not valid TOML" in i.render() for i in city.report.errors)

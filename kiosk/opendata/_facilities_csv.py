"""Read and write the national recommended dataset "公共施設一覧" (public facilities).

Columns follow the Digital Agency's template. Values in free Japanese text
(opening days, special notes) are parsed into the domain's calendar; anything we
cannot read is reported per row, and the row's other values still import.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time

from kiosk.domain.model import ClosureCalendar, Facility, OpeningHours
from kiosk.i18n import N_

from ._report import ImportReport, Severity

SOURCE = "facilities.csv"

COLUMNS: tuple[str, ...] = (
    "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "名称", "名称_カナ",
    "名称_通称", "POIコード", "住所", "方書", "緯度", "経度", "電話番号", "内線番号", "法人番号",
    "団体名", "利用可能曜日", "開始時間", "終了時間", "利用可能日時特記事項", "説明",
    "バリアフリー情報", "URL", "備考",
)
REQUIRED_COLUMNS = ("NO", "名称")
DAY_CHARS = "月火水木金土日"  # index == date.weekday()
ALL_DAYS = frozenset(range(7))


@dataclass(frozen=True)
class FacilityRow:
    """One imported row: the facility plus the row's raw text, kept for export."""

    line: int
    no: int
    facility: Facility
    record: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- decoding


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). UTF-8 with or without BOM, else CP932 (Shift_JIS)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # CP932 is Microsoft's Shift_JIS: a superset that Excel writes, so it reads both.
    return data.decode("cp932"), "cp932"


def _norm(value: str) -> str:
    # NFKC folds full-width digits, colons and tildes (９：００, ～) to ASCII.
    return unicodedata.normalize("NFKC", value).strip()


# ---------------------------------------------------------------- value parsers


class ValueError_(Exception):
    """A cell we could not read; carries a translatable message."""

    def __init__(self, message: str, **params: str | int) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def parse_open_days(text: str) -> frozenset[int]:
    """利用可能曜日 -> the weekdays the facility is open (0 = Monday).

    >>> sorted(parse_open_days("火曜日～日曜日"))
    [1, 2, 3, 4, 5, 6]
    >>> sorted(parse_open_days("月,水,金"))
    [0, 2, 4]
    """
    s = _norm(text)
    if not s:
        return ALL_DAYS
    s = s.replace("曜日", "").replace("曜", "")
    for word in ("祝日", "祝", "及び", "および"):
        s = s.replace(word, ",")  # holidays are not modelled as weekdays
    for word in ("毎日", "全日", "年中無休", "無休"):
        s = s.replace(word, "月~日")
    s = s.replace("平日", "月~金")
    s = re.sub(r"[、・/\s]+", ",", s)
    s = re.sub(r"[~〜\-ー−–]+", "~", s)
    s = s.replace("から", "~").replace("まで", "")
    days: set[int] = set()
    for token in filter(None, s.split(",")):
        if "~" in token:
            parts = token.split("~")
            if len(parts) != 2 or len(parts[0]) != 1 or len(parts[1]) != 1 or not (
                parts[0] in DAY_CHARS and parts[1] in DAY_CHARS
            ):
                raise ValueError_(N_("Cannot read the day range \"{value}\"."), value=token)
            a, b = DAY_CHARS.index(parts[0]), DAY_CHARS.index(parts[1])
            days.update((a + i) % 7 for i in range((b - a) % 7 + 1))  # may wrap: 金~月
        else:
            for ch in token:
                if ch not in DAY_CHARS:
                    raise ValueError_(N_("\"{value}\" is not a day of the week."), value=ch)
                days.add(DAY_CHARS.index(ch))
    if not days:
        raise ValueError_(N_("No opening day is listed."))
    return frozenset(days)


def format_open_days(weekly_closed: frozenset[int]) -> str:
    return "".join(ch for i, ch in enumerate(DAY_CHARS) if i not in weekly_closed)


_TIME_RE = re.compile(r"^(\d{1,2})(?::(\d{2})(?::(\d{2}))?|時(?:(\d{1,2})分)?)$")


def parse_time(text: str) -> time:
    """開始時間 / 終了時間: "9:00", "09:00:00", "９：００", "9時30分"."""
    s = _norm(text)
    m = _TIME_RE.match(s)
    if not m:
        raise ValueError_(N_("\"{value}\" is not a time like 9:00."), value=text)
    hour = int(m.group(1))
    minute = int(m.group(2) or m.group(4) or 0)
    if hour > 23 or minute > 59:
        raise ValueError_(N_("\"{value}\" is not a time of day."), value=text)
    return time(hour, minute)


def format_time(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}"


_DATE_RES = (
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"),
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"令和(\d{1,2}|元)年(\d{1,2})月(\d{1,2})日"),
)
_WEEKLY_RE = re.compile(r"毎週([月火水木金土日、・,]+)曜日?")
YEAR_END_TEXT = "年末年始(12月29日～1月3日)休館"


@dataclass
class SpecialNotes:
    year_end_closure: bool = False
    weekly_closed: set[int] = field(default_factory=set)
    closed_dates: set[date] = field(default_factory=set)
    problems: list[ValueError_] = field(default_factory=list)


def parse_special_notes(text: str) -> SpecialNotes:
    """利用可能日時特記事項: year-end closure, "毎週月曜日休館", dated closures."""
    notes = SpecialNotes()
    s = _norm(text)
    for sentence in filter(None, re.split(r"[。\n;]", s)):
        if "年末年始" in sentence:
            notes.year_end_closure = True
            continue
        if "休" not in sentence:
            continue  # e.g. "夜間は要予約": nothing our calendar models
        for m in _WEEKLY_RE.finditer(sentence):
            notes.weekly_closed.update(DAY_CHARS.index(c) for c in m.group(1) if c in DAY_CHARS)
        for pattern in _DATE_RES:
            for m in pattern.finditer(sentence):
                y, mo, d = m.groups()
                year = (2018 + (1 if y == "元" else int(y))) if pattern is _DATE_RES[2] else int(y)
                try:
                    notes.closed_dates.add(date(year, int(mo), int(d)))
                except ValueError:
                    notes.problems.append(
                        ValueError_(N_("\"{value}\" is not a real date."), value=m.group(0))
                    )
    return notes


def format_special_notes(closures: ClosureCalendar) -> str:
    parts = [YEAR_END_TEXT] if closures.year_end_closure else []
    parts += [f"{d.year}年{d.month}月{d.day}日休館" for d in sorted(closures.closed_dates)]
    return "。".join(parts)


def _parse_coordinate(text: str, low: float, high: float) -> float:
    try:
        value = float(_norm(text))
    except ValueError:
        raise ValueError_(N_("\"{value}\" is not a number."), value=text) from None
    if not low <= value <= high:
        raise ValueError_(N_("{value} is outside Japan."), value=text)
    return value


# ---------------------------------------------------------------- reading


def read_facilities(data: bytes, report: ImportReport) -> list[FacilityRow]:
    """Parse the CSV bytes. Problems go to ``report``; good rows are returned."""
    try:
        text, report.encoding = decode(data)
    except UnicodeDecodeError:
        report.add(SOURCE, None, "", N_("The file is neither UTF-8 nor Shift_JIS text."))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [_norm(h) for h in next(reader)]
    except StopIteration:
        report.add(SOURCE, None, "", N_("The file is empty."))
        return []
    except csv.Error as exc:
        report.add(SOURCE, 1, "", N_("The CSV header cannot be read: {detail}"), detail=str(exc))
        return []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        for column in missing:
            report.add(SOURCE, 1, column, N_("The required column \"{name}\" is missing."), name=column)
        return []
    rows: list[FacilityRow] = []
    seen: dict[int, int] = {}
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = reader.line_num
            report.add(SOURCE, line, "", N_("This line is not valid CSV: {detail}"), detail=str(exc))
            break  # the csv module cannot resynchronise after a broken quote
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            report.add(SOURCE, line, "", N_("The row has {count} values but the header has {expected}."),
                       Severity.WARNING, count=len(cells), expected=len(header))
        record = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        row = _read_row(record, line, report)
        if row is None:
            continue
        if row.no in seen:
            report.add(SOURCE, line, "NO", N_("NO {no} is already used on line {other}."),
                       no=row.no, other=seen[row.no])
            continue
        seen[row.no] = line
        rows.append(row)
    report.facilities_imported = len(rows)
    return rows


def _read_row(record: dict[str, str], line: int, report: ImportReport) -> FacilityRow | None:
    def warn(column: str, exc: ValueError_) -> None:
        report.add(SOURCE, line, column, exc.message, Severity.WARNING, **exc.params)

    no_text = _norm(record.get("NO", ""))
    if not no_text.isdigit():
        report.add(SOURCE, line, "NO", N_("NO must be a whole number, not \"{value}\"."), value=no_text)
        return None
    name = record.get("名称", "").strip()
    if not name:
        report.add(SOURCE, line, "名称", N_("The facility has no name."))
        return None

    open_days = ALL_DAYS
    try:
        open_days = parse_open_days(record.get("利用可能曜日", ""))
    except ValueError_ as exc:
        warn("利用可能曜日", exc)
    opening = OpeningHours()
    times: dict[str, time] = {}
    for column in ("開始時間", "終了時間"):
        if record.get(column, "").strip():
            try:
                times[column] = parse_time(record[column])
            except ValueError_ as exc:
                warn(column, exc)
    opens, closes = times.get("開始時間", opening.opens), times.get("終了時間", opening.closes)
    if opens < closes:
        opening = OpeningHours(opens, closes)
    else:
        report.add(SOURCE, line, "終了時間", N_("The closing time {closes} is not after the opening time {opens}."),
                   Severity.WARNING, opens=format_time(opens), closes=format_time(closes))
    notes = parse_special_notes(record.get("利用可能日時特記事項", ""))
    for exc in notes.problems:
        warn("利用可能日時特記事項", exc)
    coords: dict[str, float | None] = {"緯度": None, "経度": None}
    for column, low, high in (("緯度", 20.0, 46.0), ("経度", 122.0, 154.0)):
        if record.get(column, "").strip():
            try:
                coords[column] = _parse_coordinate(record[column], low, high)
            except ValueError_ as exc:
                warn(column, exc)

    def ja(column: str) -> dict[str, str]:
        value = record.get(column, "").strip()
        return {"ja": value} if value else {}

    facility = Facility(
        id=f"facility-{int(no_text)}",
        names={"ja": name},
        address=record.get("住所", "").strip(),
        kana=record.get("名称_カナ", "").strip(),
        latitude=coords["緯度"],
        longitude=coords["経度"],
        phone=record.get("電話番号", "").strip(),
        url=record.get("URL", "").strip(),
        description=ja("説明"),
        barrier_free=ja("バリアフリー情報"),
        opening=opening,
        closures=ClosureCalendar(
            weekly_closed=frozenset((ALL_DAYS - open_days) | notes.weekly_closed),
            year_end_closure=notes.year_end_closure,
            closed_dates=frozenset(notes.closed_dates),
        ),
    )
    return FacilityRow(line, int(no_text), facility, record)

from datetime import date, time

import pytest

from kiosk.opendata import parse_open_days, parse_special_notes, parse_time
from kiosk.opendata._facilities_csv import ValueError_


@pytest.mark.parametrize("text, open_days", [
    ("月火水木金土日", {0, 1, 2, 3, 4, 5, 6}),
    ("火曜日～日曜日", {1, 2, 3, 4, 5, 6}),
    ("火〜日", {1, 2, 3, 4, 5, 6}),
    ("月,火,水", {0, 1, 2}),
    ("月曜日、水曜日、金曜日", {0, 2, 4}),
    ("月・火・木", {0, 1, 3}),
    ("金曜日～月曜日", {4, 5, 6, 0}),  # wraps over the weekend
    ("平日", {0, 1, 2, 3, 4}),
    ("平日、土曜日", {0, 1, 2, 3, 4, 5}),
    ("毎日", set(range(7))),
    ("月～土・祝日", {0, 1, 2, 3, 4, 5}),
    ("", set(range(7))),
    ("ｆ", None),
    ("月～", None),
    ("水曜", {2}),
])
def test_open_days(text, open_days):
    if open_days is None:
        with pytest.raises(ValueError_):
            parse_open_days(text)
    else:
        assert parse_open_days(text) == frozenset(open_days)


@pytest.mark.parametrize("text, expected", [
    ("9:00", time(9)), ("09:30", time(9, 30)), ("９：００", time(9)), ("21:00:00", time(21)),
    ("9時", time(9)), ("17時30分", time(17, 30)), (" 8:15 ", time(8, 15)),
])
def test_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9:75", "nine", "9.00", ""])
def test_bad_time(text):
    with pytest.raises(ValueError_) as exc:
        parse_time(text)
    assert "{value}" in exc.value.message


def test_special_notes():
    notes = parse_special_notes(
        "毎週月曜日（祝日の場合は翌平日）休館。年末年始(12月29日～1月3日)休館。"
        "2027年1月19日休館(蔵書点検)\n令和9年3月1日は臨時休館。2027/02/30 休館")
    assert notes.year_end_closure
    assert notes.weekly_closed == {0}
    assert notes.closed_dates == {date(2027, 1, 19), date(2027, 3, 1)}
    assert len(notes.problems) == 1 and notes.problems[0].params["value"] == "2027/02/30"


def test_notes_without_closure_are_ignored():
    notes = parse_special_notes("雨天時は利用できません。2027年1月1日から新料金")
    assert not notes.year_end_closure and not notes.weekly_closed and not notes.closed_dates

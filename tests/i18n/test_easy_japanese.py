"""やさしい日本語 follows the rules of docs/i18n.md (the national guideline)."""

from __future__ import annotations

import pytest

from kiosk.tools import check_easy_japanese as E


def test_the_easy_japanese_catalog_follows_the_rules():
    problems = E.check()
    assert not problems, "\n".join(map(str, problems)) + "\n(rules: docs/i18n.md)"


@pytest.mark.parametrize("text, what", [
    ("ご確認ください。", "honorific or humble form: ご確認"),
    ("しょくいんに おこえがけ いただけます。", "honorific or humble form: いただ"),
    ("いれなければ なりません。", "double negative: なければ"),
    ("よやく されて います。", "passive form: されて"),
    ("休館日です。", "kanji without its reading in brackets: 休館日"),
    ("あいうえお かきくけこ さしすせそ たちつてと なにぬねの はひふへほ まみむめも やゆよ。",
     "sentence longer than 45 characters"),
])
def test_each_rule_can_fail(text, what):
    found = [p.what for p in E.problems_in("x", text)]
    assert any(f.startswith(what) for f in found), found


def test_kanji_after_its_reading_and_placeholders_are_fine():
    assert E.problems_in("x", "{date}に しやくしょ（市役所）へ いって ください。") == []

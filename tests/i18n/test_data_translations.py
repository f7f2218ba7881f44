"""City data texts in every language, from units.toml and translations/<folder>.toml."""

from __future__ import annotations

import shutil

import pytest

from kiosk.domain.model import localized
from kiosk.i18n import ALL_LANGUAGES
from kiosk.opendata import load_city, missing_texts, sample_city_dir


@pytest.fixture(scope="module")
def city():
    return load_city(sample_city_dir())


@pytest.mark.parametrize("code", [lang.code for lang in ALL_LANGUAGES])
def test_the_sample_city_has_every_text_in_every_language(city, code):
    assert city.report.issues == []
    assert missing_texts(city, code) == []


def test_texts_come_from_the_language_file(city):
    washitsu = next(u for u in city.units if u.id == "chuo-washitsu")
    assert localized(washitsu.names, "ko") == "다다미방(일본식 방)"
    assert localized(washitsu.notes, "pt-BR") == "Empréstimo de utensílios para cerimônia do chá."
    assert localized(washitsu.names, "en") == "Japanese-style Room"  # inline in units.toml
    piano = next(s for u in city.units for s in u.surcharges if s.code == "piano")
    assert localized(piano.names, "th") == "เปียโน"
    assert localized(city.exemptions["senior_club"].names, "vi") == "Câu lạc bộ người cao tuổi"
    library = next(f for f in city.facilities if f.id == "library")
    assert localized(library.names, "zh-Hant") == "綠市立圖書館"
    assert localized(library.names, "ja") == "みどり市立図書館"  # the CSV's name


def _city_dir(tmp_path):
    shutil.copytree(sample_city_dir(), tmp_path / "city")
    return tmp_path / "city"


def test_units_toml_wins_and_japanese_is_the_fallback(tmp_path):
    root = _city_dir(tmp_path)
    (root / "translations" / "ko.toml").write_text(
        '[units.chuo-hall]\nnames = "대강당"\n[units.tennis-a]\nnames = "테니스 A"\n', encoding="utf-8")
    text = (root / "units.toml").read_text(encoding="utf-8")
    text = text.replace('names = { ja = "テニスコート A", en = "Tennis Court A", ja-easy = "テニスコート A" }',
                        'names = { ja = "テニスコート A", en = "Tennis Court A", ja-easy = "テニスコート A", ko = "코트 A" }')
    (root / "units.toml").write_text(text, encoding="utf-8")
    city = load_city(root)
    units = {u.id: u for u in city.units}
    assert localized(units["chuo-hall"].names, "ko") == "대강당"
    assert localized(units["tennis-a"].names, "ko") == "코트 A"  # units.toml's own text wins
    assert localized(units["chuo-meeting-1"].names, "ko") == "第1会議室"  # no Korean: Japanese
    assert "units.chuo-meeting-1.names" in missing_texts(city, "ko")


def test_bad_translation_files_are_reported_not_raised(tmp_path):
    root = _city_dir(tmp_path)
    (root / "translations" / "klingon.toml").write_text('[city]\nnames = "x"\n', encoding="utf-8")
    (root / "translations" / "vi.toml").write_text(
        '[units.no-such-room]\nnames = "Phòng"\n[units.chuo-hall]\ncolour = "red"\n', encoding="utf-8")
    (root / "translations" / "ko.toml").write_text("[city\n", encoding="utf-8")
    city = load_city(root)
    issues = [(i.column, i.message) for i in city.report.issues]
    assert ("translations/klingon.toml", "The file {file} is not named after a language folder of locales/.") in issues
    assert ("translations/vi.toml: units.no-such-room", '"{key}" is not in units.toml.') in issues
    assert ("translations/vi.toml: units.chuo-hall.colour", "This entry does not have the expected shape.") in issues
    assert any(c == "translations/ko.toml" and m.startswith("The file {file} is not valid TOML") for c, m in issues)
    assert all(i.severity == "warning" for i in city.report.issues)
    assert len(city.units) == len(load_city(sample_city_dir()).units)  # everything else imported

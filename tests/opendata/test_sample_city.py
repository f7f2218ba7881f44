"""The shipped demo city みどり市 imports cleanly and covers what the kiosk shows."""

from pathlib import Path

from kiosk.domain.model import HOURLY_RATE_KEY, BookingMode, Category, OfflinePolicy
from kiosk.opendata import load_city, sample_city_dir

FIXTURES = Path(__file__).parent / "fixtures"


def test_sample_city_imports_without_issues():
    city = load_city(sample_city_dir())
    assert city.report.issues == []
    assert city.report.encoding == "utf-8-sig"
    assert city.code == "122999"
    assert city.name["ja"] == "みどり市"
    assert len(city.facilities) == 8
    assert len(city.units) >= 25
    assert city.report.facilities_imported == 8
    assert city.report.units_imported == len(city.units)


def test_sample_city_covers_every_category_and_special_unit():
    city = load_city(sample_city_dir())
    assert {u.category for u in city.units} == set(Category)
    assert sum(u.group_only for u in city.units) >= 1
    assert any(u.offline_policy is OfflinePolicy.ONLINE_ONLY for u in city.units)
    assert any(u.mode is BookingMode.HOURLY for u in city.units)
    assert sum(1 for f in city.facilities if f.closures.weekly_closed) >= 6
    assert len(city.exemptions) >= 2
    assert all(0 < e.percent <= 100 for e in city.exemptions.values())


def test_sample_rates_are_realistic():
    city = load_city(sample_city_dir())
    for unit in city.units:
        assert {"ja", "en", "ja-easy"} <= unit.names.keys(), unit.id
        for code, rate in unit.rates.items():
            assert 1.5 <= rate.non_resident / rate.resident <= 2.0, (unit.id, code)
        if unit.mode is BookingMode.BLOCK:
            assert unit.rates["evening"].resident > unit.rates["morning"].resident, unit.id
        else:
            assert HOURLY_RATE_KEY in unit.rates
    codes = {s.code for u in city.units for s in u.surcharges}
    assert {"air_conditioning", "piano", "projector"} <= codes


def test_every_facility_has_three_languages_and_units():
    city = load_city(sample_city_dir())
    with_units = {u.facility_id for u in city.units}
    for f in city.facilities:
        assert {"ja", "en", "ja-easy"} <= f.names.keys()
        assert f.id in with_units
        assert f.address.startswith("千葉県みどり市")
        assert city.is_resident_address(f.address)
    assert not city.is_resident_address("千葉県富里市七栄1")
    assert city.is_resident_address("千葉県 みどり市 北原 1")


def test_cp932_copy_imports_the_same_facilities():
    utf8 = load_city(sample_city_dir())
    data = (FIXTURES / "facilities_cp932.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
        raise AssertionError("the fixture must not be valid UTF-8")
    except UnicodeDecodeError:
        pass
    from kiosk.opendata import ImportReport, read_facilities

    report = ImportReport()
    rows = read_facilities(data, report)
    assert report.encoding == "cp932"
    assert report.issues == []
    assert [r.facility.names["ja"] for r in rows] == [f.names["ja"] for f in utf8.facilities]
    assert [r.facility.closures for r in rows] == [f.closures for f in utf8.facilities]

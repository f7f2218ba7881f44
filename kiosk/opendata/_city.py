"""A city's data: facilities from the open-data CSV plus units.toml."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from kiosk.domain.model import BookingRules, Exemption, Facility, LocalizedText, Unit
from kiosk.i18n import N_

from . import _units_toml
from ._export import facilities_csv_bytes
from ._facilities_csv import SOURCE as CSV_SOURCE
from ._facilities_csv import read_facilities
from ._report import ImportReport, Severity
from ._translations import apply_translations

FACILITIES_FILE = "facilities.csv"
UNITS_FILE = "units.toml"


@dataclass(frozen=True)
class CityData:
    code: str  # 全国地方公共団体コード, 6 digits
    name: LocalizedText
    facilities: tuple[Facility, ...]
    units: tuple[Unit, ...]
    rules: BookingRules
    exemptions: Mapping[str, Exemption]
    resident_address_prefixes: tuple[str, ...]
    prefecture: str = ""  # 都道府県名, for the CSV export
    facility_numbers: Mapping[str, int] = field(default_factory=dict)  # facility id -> CSV NO
    facility_records: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # id -> raw CSV row
    report: ImportReport = field(default_factory=ImportReport, compare=False)

    def unit(self, unit_id: str) -> Unit | None:
        return self._units_by_id.get(unit_id)

    def facility(self, facility_id: str) -> Facility | None:
        return self._facilities_by_id.get(facility_id)

    # Built on first use (the instance is frozen, its __dict__ is not): the server looks a
    # unit up for every booking it checks.
    @cached_property
    def _units_by_id(self) -> Mapping[str, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def _facilities_by_id(self) -> Mapping[str, Facility]:
        return {f.id: f for f in self.facilities}

    def is_resident_address(self, address: str) -> bool:
        """Whether an address (e.g. read from a My Number card) lies in this city."""
        compact = "".join(address.split())
        return any(compact.startswith("".join(p.split())) for p in self.resident_address_prefixes)

    def facilities_csv(self) -> bytes:
        """The facilities as a 公共施設一覧 CSV (UTF-8 BOM, CRLF), ready to publish."""
        return facilities_csv_bytes(
            self.facilities, city_code=self.code, prefecture=self.prefecture,
            city_name=self.name.get("ja", ""), numbers=self.facility_numbers,
            records=self.facility_records,
        )


def sample_city_dir() -> Path:
    """The demo city みどり市 (fictional, code 122999) shipped with the kiosk."""
    return Path(__file__).resolve().parent.parent / "data" / "sample_city"


def load_city(directory: Path | str) -> CityData:
    """Import ``facilities.csv`` + ``units.toml``. Never raises for bad content:
    problems are in ``result.report``; everything good is imported."""
    directory = Path(directory)
    report = ImportReport()

    doc: dict = {}
    try:
        doc = tomllib.loads((directory / UNITS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        report.add(_units_toml.SOURCE, None, "", N_("The file {file} is missing."), file=UNITS_FILE)
    except UnicodeDecodeError:
        report.add(_units_toml.SOURCE, None, "", N_("The file {file} is not UTF-8 text."), file=UNITS_FILE)
    except tomllib.TOMLDecodeError as exc:
        report.add(_units_toml.SOURCE, None, "", N_("The file {file} is not valid TOML: {detail}"),
                   file=UNITS_FILE, detail=str(exc))
    spec = _units_toml.parse_units_file(doc, report)
    apply_translations(directory, spec, report)  # translations/<folder>.toml: more languages

    try:
        rows = read_facilities((directory / FACILITIES_FILE).read_bytes(), report)
    except FileNotFoundError:
        report.add(CSV_SOURCE, None, "", N_("The file {file} is missing."), file=FACILITIES_FILE)
        rows = []

    extras = {fx.no: fx for fx in spec.facilities}
    facilities: list[Facility] = []
    numbers: dict[str, int] = {}
    records: dict[str, dict[str, str]] = {}
    for row in rows:
        f = row.facility
        fx = extras.get(row.no)
        if fx:
            f = dataclasses.replace(
                f, id=fx.id, names={**fx.names, **f.names},  # the CSV's Japanese name wins
                description={**fx.description, **f.description},
                barrier_free={**fx.barrier_free, **f.barrier_free},
            )
        code = row.record.get("都道府県コード又は市区町村コード", "").strip()
        if spec.code and code and code[:6] != spec.code:  # 6 digits, or 5 without check digit
            if not spec.code.startswith(code):
                report.add(CSV_SOURCE, row.line, "都道府県コード又は市区町村コード",
                           N_("The city code {value} differs from {expected} in units.toml."),
                           Severity.WARNING, value=code, expected=spec.code)
        facilities.append(f)
        numbers[f.id] = row.no
        records[f.id] = row.record
    csv_numbers = {row.no for row in rows}
    for number, fx in enumerate(spec.facilities, 1):
        if fx.no not in csv_numbers:
            report.add(_units_toml.SOURCE, number, "facilities.no",
                       N_("No facility with NO {no} is in the CSV."), Severity.WARNING, no=fx.no)

    known = {f.id for f in facilities}
    units = []
    for number, unit in enumerate(spec.units, 1):
        if unit.facility_id not in known:
            report.add(_units_toml.SOURCE, number, "units.facility",
                       N_("The unit \"{unit}\" belongs to an unknown facility \"{facility}\"."),
                       unit=unit.id, facility=unit.facility_id)
            continue
        units.append(unit)
    report.units_imported = len(units)

    return CityData(
        code=spec.code,
        name=spec.names or {"ja": ""},
        facilities=tuple(facilities),
        units=tuple(units),
        rules=spec.rules,
        exemptions=dict(spec.exemptions),
        resident_address_prefixes=spec.resident_address_prefixes,
        prefecture=spec.prefecture,
        facility_numbers=numbers,
        facility_records=records,
        report=report,
    )

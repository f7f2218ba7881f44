"""units.toml: what the national dataset lacks -- units, rates, rules, exemptions.

Layout (see kiosk/data/sample_city/units.toml and docs/opendata.md):

    [city]        code, prefecture, names, resident_address_prefixes
    [rules]       BookingRules fields (city-wide)
    [exemptions.<code>]   percent, names
    [surcharges.<code>]   names, basis ("per_slot" | "per_booking")
    [[facilities]]        no (CSV NO), id, names/description/barrier_free (other languages)
    [[units]]             id, facility, category, names, capacity, mode, blocks, rates,
                          surcharges, group_only, offline_policy, barrier_free, notes, rules
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import Any

from kiosk.domain.model import (
    DEFAULT_BLOCKS,
    HOURLY_RATE_KEY,
    BookingMode,
    BookingRules,
    Category,
    Exemption,
    OfflinePolicy,
    Rate,
    Surcharge,
    SurchargeBasis,
    TimeBlock,
    Unit,
)
from kiosk.i18n import N_

from ._report import ImportReport, Severity

SOURCE = "units.toml"
RULE_FIELDS = {f.name for f in dataclasses.fields(BookingRules)}
_DEFAULT_BLOCKS = {b.code: b for b in DEFAULT_BLOCKS}


class EntryError(Exception):
    def __init__(self, key: str, message: str, **params: str | int) -> None:
        super().__init__(message)
        self.key, self.message, self.params = key, message, params


@dataclass
class FacilityExtra:
    no: int
    id: str
    names: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    barrier_free: dict[str, str] = field(default_factory=dict)


@dataclass
class UnitsFile:
    code: str = ""
    prefecture: str = ""
    names: dict[str, str] = field(default_factory=dict)
    resident_address_prefixes: tuple[str, ...] = ()
    rules: BookingRules = BookingRules()
    exemptions: dict[str, Exemption] = field(default_factory=dict)
    facilities: list[FacilityExtra] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def _text(value: Any, key: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"ja": value}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise EntryError(key, N_("\"{field}\" must be text per language, like {{ ja = \"…\", en = \"…\" }}."), field=key)
    return dict(value)


def _int(value: Any, key: str, low: int = 0, high: int = 10**9) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise EntryError(key, N_("\"{field}\" must be a whole number from {low} to {high}."), field=key, low=low, high=high)
    return value


def _rate(value: Any, key: str) -> Rate:
    """[resident, non_resident] or { resident = …, non_resident = … }, in yen."""
    if isinstance(value, list) and len(value) == 2:
        return Rate(_int(value[0], key), _int(value[1], key))
    if isinstance(value, Mapping) and {"resident", "non_resident"} <= value.keys():
        return Rate(_int(value["resident"], key), _int(value["non_resident"], key))
    raise EntryError(key, N_("\"{field}\" must be a rate: [resident yen, non-resident yen]."), field=key)


def _enum(enum: type, value: Any, key: str):
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise EntryError(key, N_("\"{value}\" is not one of: {choices}."), value=str(value), choices=choices) from None


_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _time(value: Any, key: str) -> time:
    m = _TIME.match(str(value)) if isinstance(value, str) else None
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise EntryError(key, N_("\"{field}\" must be a time like \"9:00\"."), field=key)
    return time(int(m.group(1)), int(m.group(2)))


def _rules(value: Any, base: BookingRules, key: str) -> BookingRules:
    if not isinstance(value, Mapping):
        raise EntryError(key, N_("\"{field}\" must be a table."), field=key)
    unknown = set(value) - RULE_FIELDS
    if unknown:
        raise EntryError(key, N_("Unknown rule \"{name}\"."), name=sorted(unknown)[0])
    prefix = f"{key}." if key else ""
    return dataclasses.replace(base, **{k: _int(v, f"{prefix}{k}", 0, 3650) for k, v in value.items()})


def parse_units_file(doc: Mapping[str, Any], report: ImportReport) -> UnitsFile:
    out = UnitsFile()

    def entry(section: str, number: int | None, fn) -> Any:
        try:
            return fn()
        except EntryError as exc:
            report.add(SOURCE, number, f"{section}.{exc.key}" if exc.key else section, exc.message, **exc.params)
            return None
        except (AttributeError, TypeError, KeyError):  # a table where a value was expected, etc.
            report.add(SOURCE, number, section, N_("This entry does not have the expected shape."))
            return None

    city = doc.get("city", {})
    entry("city", None, lambda: _city(city, out))
    if "code" not in city:
        report.add(SOURCE, None, "city.code", N_("The city code is missing."))
    if "rules" in doc:
        out.rules = entry("rules", None, lambda: _rules(doc["rules"], BookingRules(), "")) or out.rules
    for code, spec in dict(doc.get("exemptions", {})).items():
        ex = entry("exemptions", None, lambda: Exemption(
            code, _int(spec.get("percent"), f"{code}.percent", 0, 100), _text(spec.get("names", code), f"{code}.names")))
        if ex:
            out.exemptions[code] = ex
    surcharge_specs: dict[str, tuple[dict[str, str], SurchargeBasis]] = {}
    for code, spec in dict(doc.get("surcharges", {})).items():
        s = entry("surcharges", None, lambda: (
            _text(spec.get("names", code), f"{code}.names"),
            _enum(SurchargeBasis, spec.get("basis", "per_slot"), f"{code}.basis")))
        if s:
            surcharge_specs[code] = s
    for number, spec in enumerate(doc.get("facilities", []), 1):
        fx = entry("facilities", number, lambda: FacilityExtra(
            no=_int(spec.get("no"), "no", 1), id=_id(spec.get("id"), "id"),
            names=_text(spec.get("names", {}), "names"),
            description=_text(spec.get("description", {}), "description"),
            barrier_free=_text(spec.get("barrier_free", {}), "barrier_free")))
        if fx:
            out.facilities.append(fx)
    seen: set[str] = set()
    for number, spec in enumerate(doc.get("units", []), 1):
        unit = entry("units", number, lambda: _unit(spec, out.rules, surcharge_specs))
        if unit is None:
            continue
        if unit.id in seen:
            report.add(SOURCE, number, "units.id", N_("The unit id \"{id}\" is used twice."), id=unit.id)
            continue
        seen.add(unit.id)
        out.units.append(unit)
    return out


def _id(value: Any, key: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", value):
        raise EntryError(key, N_("\"{field}\" must be an id of lower-case letters, digits and hyphens."), field=key)
    return value


def _city(city: Mapping[str, Any], out: UnitsFile) -> None:
    code = city.get("code", "")
    if code and not (isinstance(code, str) and re.fullmatch(r"\d{6}", code)):
        raise EntryError("code", N_("The city code must be 6 digits, like \"122999\"."))
    out.code = code
    out.prefecture = str(city.get("prefecture", ""))
    out.names = _text(city.get("names", {}), "names")
    prefixes = city.get("resident_address_prefixes", [])
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and p for p in prefixes):
        raise EntryError("resident_address_prefixes", N_("\"{field}\" must be a list of addresses."),
                         field="resident_address_prefixes")
    out.resident_address_prefixes = tuple(prefixes)


def _unit(spec: Mapping[str, Any], city_rules: BookingRules,
          surcharge_specs: Mapping[str, tuple[dict[str, str], SurchargeBasis]]) -> Unit:
    if not isinstance(spec, Mapping):
        raise EntryError("", N_("A unit must be a table."))
    unit_id = _id(spec.get("id"), "id")
    facility_id = _id(spec.get("facility"), "facility")
    mode = _enum(BookingMode, spec.get("mode", "block"), "mode")
    blocks = DEFAULT_BLOCKS
    if "blocks" in spec:
        blocks = tuple(_block(b, f"blocks[{i}]") for i, b in enumerate(spec["blocks"], 1))
        if not blocks:
            raise EntryError("blocks", N_("A block unit needs at least one block."))
    rates_spec = spec.get("rates")
    if not isinstance(rates_spec, Mapping) or not rates_spec:
        raise EntryError("rates", N_("The unit has no rates."))
    rates = {code: _rate(v, f"rates.{code}") for code, v in rates_spec.items()}
    needed = {HOURLY_RATE_KEY} if mode is BookingMode.HOURLY else {b.code for b in blocks}
    missing = sorted(needed - rates.keys())
    if missing:
        raise EntryError("rates", N_("There is no rate for \"{block}\"."), block=missing[0])
    surcharges = []
    for code, rate in dict(spec.get("surcharges", {})).items():
        if code not in surcharge_specs:
            raise EntryError(f"surcharges.{code}", N_("The surcharge \"{code}\" is not defined in [surcharges]."), code=code)
        names, basis = surcharge_specs[code]
        surcharges.append(Surcharge(code, names, _rate(rate, f"surcharges.{code}"), basis))
    group_only = spec.get("group_only", False)
    if not isinstance(group_only, bool):
        raise EntryError("group_only", N_("\"{field}\" must be true or false."), field="group_only")
    return Unit(
        id=unit_id,
        facility_id=facility_id,
        category=_enum(Category, spec.get("category"), "category"),
        names=_text(spec.get("names"), "names") if "names" in spec else _missing("names"),
        capacity=_int(spec.get("capacity"), "capacity", 1, 100_000),
        mode=mode,
        blocks=blocks,
        rates=rates,
        surcharges=tuple(surcharges),
        group_only=group_only,
        offline_policy=_enum(OfflinePolicy, spec.get("offline_policy", "provisional"), "offline_policy"),
        barrier_free=_text(spec.get("barrier_free", {}), "barrier_free"),
        notes=_text(spec.get("notes", {}), "notes"),
        rules=_rules(spec["rules"], city_rules, "rules") if "rules" in spec else None,
    )


def _missing(key: str):
    raise EntryError(key, N_("\"{field}\" is missing."), field=key)


def _block(spec: Any, key: str) -> TimeBlock:
    if not isinstance(spec, Mapping) or "code" not in spec:
        raise EntryError(key, N_("\"{field}\" must be a table with code, start and end."), field=key)
    code = str(spec["code"])
    default = _DEFAULT_BLOCKS.get(code)
    start, end = _time(spec.get("start"), f"{key}.start"), _time(spec.get("end"), f"{key}.end")
    if start >= end:
        raise EntryError(key, N_("The block \"{code}\" ends before it starts."), code=code)
    names = _text(spec["names"], f"{key}.names") if "names" in spec else (
        dict(default.names) if default else {"ja": code})
    return TimeBlock(code, start, end, names)


__all__ = ["parse_units_file", "UnitsFile", "FacilityExtra", "Severity"]

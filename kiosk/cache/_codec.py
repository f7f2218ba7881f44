"""JSON forms of the domain's city values, as stored in the cache's text columns."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, time
from typing import Any

from kiosk.domain.model import (
    BookingMode,
    BookingRules,
    Category,
    ClosureCalendar,
    Exemption,
    Facility,
    OfflinePolicy,
    OpeningHours,
    Rate,
    Slot,
    Surcharge,
    SurchargeBasis,
    TimeBlock,
    Unit,
)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def iso(value: datetime) -> str:
    """Fixed-width local time text, so SQL string order is time order."""
    if value.tzinfo is not None:
        raise ValueError("the cache stores naive local times; got an aware datetime")
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _hm(t: time) -> str:
    return t.strftime("%H:%M")


def _time(text: str) -> time:
    return time.fromisoformat(text)


def rules_to_json(rules: BookingRules) -> dict:
    return dataclasses.asdict(rules)


def rules_from_json(data: dict) -> BookingRules:
    known = {f.name for f in dataclasses.fields(BookingRules)}
    return BookingRules(**{k: v for k, v in data.items() if k in known})


def exemption_to_json(e: Exemption) -> dict:
    return {"code": e.code, "percent": e.percent, "names": dict(e.names)}


def exemption_from_json(d: dict) -> Exemption:
    return Exemption(d["code"], d["percent"], d["names"])


def facility_to_json(f: Facility) -> dict:
    return {
        "id": f.id, "names": dict(f.names), "address": f.address, "kana": f.kana,
        "latitude": f.latitude, "longitude": f.longitude, "phone": f.phone, "url": f.url,
        "description": dict(f.description), "barrier_free": dict(f.barrier_free),
        "opening": [_hm(f.opening.opens), _hm(f.opening.closes)],
        "weekly_closed": sorted(f.closures.weekly_closed),
        "year_end_closure": f.closures.year_end_closure,
        "closed_dates": sorted(d.isoformat() for d in f.closures.closed_dates),
    }


def facility_from_json(d: dict) -> Facility:
    return Facility(
        id=d["id"], names=d["names"], address=d["address"], kana=d["kana"],
        latitude=d["latitude"], longitude=d["longitude"], phone=d["phone"], url=d["url"],
        description=d["description"], barrier_free=d["barrier_free"],
        opening=OpeningHours(_time(d["opening"][0]), _time(d["opening"][1])),
        closures=ClosureCalendar(
            weekly_closed=frozenset(d["weekly_closed"]),
            year_end_closure=d["year_end_closure"],
            closed_dates=frozenset(date.fromisoformat(x) for x in d["closed_dates"]),
        ),
    )


def _rate(r: Rate) -> list[int]:
    return [r.resident, r.non_resident]


def unit_to_json(u: Unit) -> dict:
    return {
        "id": u.id, "facility_id": u.facility_id, "category": u.category.value,
        "names": dict(u.names), "capacity": u.capacity, "mode": u.mode.value,
        "blocks": [{"code": b.code, "start": _hm(b.start), "end": _hm(b.end), "names": dict(b.names)}
                   for b in u.blocks],
        "rates": {k: _rate(r) for k, r in u.rates.items()},
        "surcharges": [{"code": s.code, "names": dict(s.names), "rate": _rate(s.rate), "basis": s.basis.value}
                       for s in u.surcharges],
        "group_only": u.group_only, "offline_policy": u.offline_policy.value,
        "barrier_free": dict(u.barrier_free), "notes": dict(u.notes),
        "rules": rules_to_json(u.rules) if u.rules else None,
    }


def unit_from_json(d: dict) -> Unit:
    return Unit(
        id=d["id"], facility_id=d["facility_id"], category=Category(d["category"]),
        names=d["names"], capacity=d["capacity"], mode=BookingMode(d["mode"]),
        blocks=tuple(TimeBlock(b["code"], _time(b["start"]), _time(b["end"]), b["names"]) for b in d["blocks"]),
        rates={k: Rate(*v) for k, v in d["rates"].items()},
        surcharges=tuple(Surcharge(s["code"], s["names"], Rate(*s["rate"]), SurchargeBasis(s["basis"]))
                         for s in d["surcharges"]),
        group_only=d["group_only"], offline_policy=OfflinePolicy(d["offline_policy"]),
        barrier_free=d["barrier_free"], notes=d["notes"],
        rules=rules_from_json(d["rules"]) if d["rules"] else None,
    )


def slots_to_json(slots: tuple[Slot, ...]) -> list[dict]:
    return [{"start": iso(s.start), "end": iso(s.end), "block": s.block_code} for s in slots]


def slots_from_json(data: list[dict]) -> tuple[Slot, ...]:
    return tuple(Slot(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]), s["block"])
                 for s in data)

"""Between the kiosk cache's shapes and the wire format of ``sync.protocol``.

The outbox holds whatever payload the kiosk flow recorded; ``to_wire`` accepts both the
flow's flat booking payload (``kiosk.flow.booking.book_mutation``) and the wire shape
(``book_mutation_payload`` below), so either side can evolve without losing a row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from kiosk.domain.model import Booking, BookingStatus, Unit

BOOK_KINDS = {"book", "create_booking"}
CANCEL_KINDS = {"cancel", "cancel_booking"}

# A booking pushed this long after it was made was made offline (the person has gone):
# if the server refuses it, staff must follow up. Used when the payload does not say.
OFFLINE_AGE_SECONDS = 120


class Unpushable(ValueError):
    """An outbox row that can never become a valid mutation."""


def book_mutation_payload(booking: Booking, contact: Mapping[str, str], *, person_key: str | None,
                          provisional: bool, surcharge_codes: frozenset[str] = frozenset(),
                          exemption_code: str | None = None, group_id: str | None = None) -> dict[str, Any]:
    """The outbox payload for a new booking, already in wire shape."""
    return {
        "mutation_id": booking.id,
        "kind": "book",
        "booking": {
            "booking_id": booking.id, "code": booking.code, "unit_id": booking.unit_id,
            "slots": [{"start": s.start.isoformat(), "end": s.end.isoformat(), "block_code": s.block_code}
                      for s in booking.slots],
            "residency": booking.residency.value, "person_key": person_key, "group_id": group_id,
            "surcharge_codes": sorted(surcharge_codes), "exemption_code": exemption_code,
            "contact": dict(contact), "provisional": provisional,
            "created_at": booking.created_at.isoformat(),
        },
    }


def cancel_mutation_payload(mutation_id: str, booking_id: str) -> dict[str, Any]:
    return {"mutation_id": mutation_id, "kind": "cancel", "booking_id": booking_id}


def _block_code(unit: Unit | None, start: datetime, end: datetime) -> str | None:
    if unit is None:
        return None
    for block in unit.blocks:
        if block.start == start.time() and block.end == end.time():
            return block.code
    return None


def _slots(raw: Any, unit: Unit | None) -> list[dict[str, Any]]:
    out = []
    for s in raw or ():
        if isinstance(s, Mapping):
            start, end, code = s.get("start"), s.get("end"), s.get("block_code", s.get("block"))
        else:
            start, end, code = s[0], s[1], (s[2] if len(s) > 2 else None)
        start_dt, end_dt = datetime.fromisoformat(str(start)), datetime.fromisoformat(str(end))
        out.append({"start": start_dt.isoformat(), "end": end_dt.isoformat(),
                    "block_code": code or _block_code(unit, start_dt, end_dt)})
    return out


def to_wire(mutation_id: str, kind: str, payload: Mapping[str, Any], *, booking_id: str | None,
            age_seconds: float, unit_lookup) -> dict[str, Any]:
    """One outbox row as a ``sync.protocol`` mutation. Raises Unpushable."""
    try:
        kind = str(payload.get("kind", kind))
        if kind in BOOK_KINDS or (kind == "update_booking" and "booking" in payload):
            b = payload.get("booking", payload)
            unit_id = str(b["unit_id"])
            try:
                unit = unit_lookup(unit_id)
            except (KeyError, LookupError):
                unit = None  # the server answers UNKNOWN_UNIT
            provisional = b.get("provisional", b.get("offline"))
            if provisional is None:
                provisional = age_seconds > OFFLINE_AGE_SECONDS
            contact = {k: str(v) for k, v in dict(b.get("contact") or {}).items()
                       if k in ("name", "phone", "email", "group", "kana")}
            return {
                "mutation_id": mutation_id, "kind": "book",
                "booking": {
                    "booking_id": str(b.get("booking_id") or booking_id), "code": str(b["code"]),
                    "unit_id": unit_id, "slots": _slots(b["slots"], unit),
                    "residency": str(b["residency"]), "person_key": b.get("person_key"),
                    "group_id": b.get("group_id"),
                    "surcharge_codes": sorted(b.get("surcharge_codes", b.get("surcharges")) or ()),
                    "exemption_code": b.get("exemption_code", b.get("exemption")),
                    "contact": contact, "provisional": bool(provisional),
                    "created_at": b.get("created_at"),
                    **({"identity": dict(b["identity"])} if b.get("identity") else {}),
                },
            }
        if kind in CANCEL_KINDS or (kind == "update_booking" and payload.get("status") == "cancelled"):
            return cancel_mutation_payload(mutation_id, str(payload.get("booking_id") or booking_id))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise Unpushable(f"{kind}: {type(exc).__name__}: {exc}") from exc
    raise Unpushable(f"unsupported mutation kind {kind!r}")


def busy_change(item: Mapping[str, Any]):
    """A change-feed item as the cache's ``BusyChange``."""
    from kiosk.cache import BusyChange, ChangeOp

    return BusyChange(
        unit_id=item["unit_id"], start=datetime.fromisoformat(item["start"]),
        end=datetime.fromisoformat(item["end"]), status=BookingStatus(item["status"]),
        booking_id=item["booking_id"], op=ChangeOp.UPSERT,
    )


def feed_rows(items: Sequence[Mapping[str, Any]]) -> list[tuple[str, str, str, str, str, str]]:
    """Change-feed items as the cache's feed rows (``Cache.apply_feed_rows``)."""
    return [(i["booking_id"], i["unit_id"], i["start"], i["end"], i["status"], "upsert") for i in items]

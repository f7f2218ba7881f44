"""Deciding one book mutation: every rule checked again here, on what the database holds.

``plan_booking`` reads nothing itself except what a card holder's residency needs: the
caller hands it the facts (an earlier answer, the booking if known, the person's active
bookings, the unit's busy intervals) read for a whole batch at once, and it adds the
rows to write to a ``WriteSet``. Double booking is still refused by the database itself
when those rows are written; this check decides the answer, the constraint guarantees it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.model import Applicant, BookingRequest, BookingStatus, BusyInterval, Slot

from ..protocol import BookMutation, MutationResult, ViolationOut
from .booking_writes import WriteSet
from .card_check import ResidencyCheck
from .db import Connection
from .tenants import Credential

HOLDING = (BookingStatus.PROVISIONAL.value, BookingStatus.CONFIRMED.value)


@dataclass
class Facts:
    """What the database (and the batch so far) says before one book mutation."""

    stored: str | MutationResult | None = None  # the answer to an earlier delivery of this mutation id
    status: str | None = None  # the booking's status when its id is known already
    total_yen: int | None = None
    active: int = 0  # the person's bookings holding time that have not ended


@dataclass
class Planned:
    result: MutationResult
    replayed: bool = False  # the stored answer: nothing written
    confirmed_slots: tuple[Slot, ...] = ()  # the time this mutation took, when confirmed


def violation(name: str, **params: str | int) -> ViolationOut:
    """A violation the server itself finds, coded like the domain's ``ViolationCode``."""
    from kiosk.domain.rules import ViolationCode

    return ViolationOut(code=ViolationCode[name].value, params=params)


def violations_out(violations: Sequence[object]) -> list[ViolationOut]:
    out = []
    for v in violations:
        params = {k: (p if isinstance(p, int) else str(p)) for k, p in dict(v.params).items()}  # type: ignore[attr-defined]
        out.append(ViolationOut(code=str(v.code), params=params))  # type: ignore[attr-defined]
    return out


def replayed(stored: str | MutationResult) -> MutationResult:
    """The original answer (stored JSON, or the answer given earlier in this batch)."""
    original = MutationResult.model_validate_json(stored) if isinstance(stored, str) else stored
    return original.model_copy(update={"replayed": True})


def plan_booking(c: Connection, cred: Credential, m: BookMutation, now: datetime, facts: Facts, city,
                 residency: ResidencyCheck, busy_of: Callable[[str, datetime, datetime], list[BusyInterval]],
                 clashes: int, writes: WriteSet) -> Planned:
    """The answer to ``m``; its rows go to ``writes``. ``busy_of(unit, start, end)``: the
    unit's busy intervals around that time; ``clashes``: how often the database refused
    this mutation's time although the check allowed it."""
    from kiosk.domain.fees import quote
    from kiosk.domain.rules import validate_booking
    from kiosk.domain.slots import effective_rules

    b = m.booking
    base = dict(mutation_id=m.mutation_id, kind="book", booking_id=b.booking_id, applied_at=now)
    if facts.stored is not None:
        return Planned(replayed(facts.stored), replayed=True)
    if facts.status is not None:
        # the same booking pushed again under another mutation id: report what it is
        status = BookingStatus(facts.status)
        outcome = "rejected" if status is BookingStatus.REJECTED else "applied"
        result = MutationResult(**base, outcome=outcome, status=status, total_yen=facts.total_yen)
        writes.mutation(cred, m.mutation_id, "book", result.model_dump_json(), now)
        writes.durable = True
        return Planned(result)

    unit = city.unit(b.unit_id)
    slots = tuple(sorted((Slot(s.start, s.end, s.block_code or _block_code(unit, s.start, s.end))
                          for s in b.slots), key=lambda s: (s.start, s.end)))
    violations: list[ViolationOut] = []
    total = 0
    # the kiosk's residency is a claim: for a card holder the server decides it
    decided = residency.decide(c, cred.tenant, cred.id, b, city, now)
    if unit is None:
        violations = [violation("UNKNOWN_UNIT", unit_id=b.unit_id)]
    elif any(s.end <= s.start for s in slots):
        violations = [violation("SLOT_NOT_OFFERED")]
    else:
        facility = city.facility(unit.facility_id)
        rules = effective_rules(unit, city.rules)
        request = BookingRequest(
            unit_id=unit.id,
            slots=slots,
            applicant=Applicant(
                residency=decided.residency,
                person_key=b.person_key,
                group_id=b.group_id,
                active_bookings=facts.active if b.person_key else 0,
            ),
            surcharge_codes=frozenset(b.surcharge_codes),
            exemption_code=b.exemption_code,
        )
        busy = busy_of(unit.id, slots[0].start, slots[-1].end)
        violations = violations_out(
            validate_booking(request, unit, facility, busy, now, rules, city.exemptions, online=not b.provisional)
        )
        if not violations and clashes >= 3:
            # the database keeps refusing what the check allows: trust the database
            violations = [violation("SLOT_TAKEN")]
        if not violations:
            exemption = city.exemptions.get(b.exemption_code) if b.exemption_code else None
            total = quote(unit, slots, decided.residency, b.surcharge_codes, exemption).total_yen

    if violations:
        result = MutationResult(**base, outcome="rejected", status=BookingStatus.REJECTED, violations=violations)
        writes.booking(cred, b, decided, slots, BookingStatus.REJECTED, 0, now, holds=False,
                       reason=violations[0].code, with_slots=b.provisional)
        if b.provisional:  # made offline: staff follow it up, so its record must survive a crash
            writes.followup(cred.tenant, b.booking_id, m.mutation_id,
                            json.dumps([v.model_dump() for v in violations]), now)
            writes.durable = True
        writes.mutation(cred, m.mutation_id, "book", result.model_dump_json(), now)
        return Planned(result)
    result = MutationResult(**base, outcome="applied", status=BookingStatus.CONFIRMED, total_yen=total)
    writes.booking(cred, b, decided, slots, BookingStatus.CONFIRMED, total, now, holds=True)
    writes.change(cred.tenant, b.booking_id, b.unit_id, slots, BookingStatus.CONFIRMED)
    writes.mutation(cred, m.mutation_id, "book", result.model_dump_json(), now)
    return Planned(result, confirmed_slots=slots)


def _block_code(unit, start: datetime, end: datetime) -> str | None:
    """A block slot sent without its code (older payloads): the block with those times."""
    for block in getattr(unit, "blocks", ()) if unit is not None and unit.mode == "block" else ():
        if block.start == start.time() and block.end == end.time():
            return block.code
    return None

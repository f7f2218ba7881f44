"""Booking through the rules: validate, quote, record with its outbox mutation.

The flow calls these; they speak only domain types and the cache, no UI.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kiosk.domain import codes, fees, rules
from kiosk.domain.model import (
    Applicant,
    Booking,
    BookingRequest,
    BookingStatus,
    Residency,
    Slot,
    Unit,
)
from kiosk.domain.slots import effective_rules


def guest_person_key(phone: str) -> str:
    """A pseudonymous key per phone number, so per-person limits apply to guests.

    Only the digest is kept; the kiosk never needs to turn it back into a number.
    """
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "guest:" + hashlib.sha256(("madoguchi-guest:" + digits).encode()).hexdigest()[:32]


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0))
    return start, start + timedelta(days=1)


def active_bookings(cache, person_key: str | None, now: datetime) -> int:
    if not person_key:
        return 0
    return sum(1 for b in cache.bookings_for(person_key) if b.status.holds_time and b.end > now)


@dataclass(frozen=True)
class BookingDraft:
    """Everything the person has chosen, in domain terms."""

    unit: Unit
    slots: tuple[Slot, ...]
    residency: Residency
    person_key: str | None = None
    surcharges: frozenset[str] = frozenset()
    exemption: str | None = None
    identity: Mapping | None = None  # a card holder's proof for the server (sync.protocol.CardIdentityIn)

    def request(self, active: int) -> BookingRequest:
        return BookingRequest(
            unit_id=self.unit.id,
            slots=self.slots,
            applicant=Applicant(
                residency=self.residency, person_key=self.person_key, active_bookings=active
            ),
            surcharge_codes=self.surcharges,
            exemption_code=self.exemption,
        )


class BookingService:
    """Validate, quote and record bookings against one kiosk's cache."""

    def __init__(self, cache) -> None:
        self.cache = cache

    def rules_for(self, unit: Unit):
        return effective_rules(unit, self.cache.city().rules)

    def busy_on(self, unit: Unit, slots: Sequence[Slot]):
        days = sorted({s.start.date() for s in slots})
        busy = []
        for day in days:
            busy.extend(self.cache.busy_between(unit.id, *day_bounds(day)))
        return busy

    def validate(self, draft: BookingDraft, now: datetime, online: bool = True) -> list:
        unit = draft.unit
        facility = self.cache.facility(unit.facility_id)
        active = active_bookings(self.cache, draft.person_key, now)
        return rules.validate_booking(
            draft.request(active),
            unit,
            facility,
            self.busy_on(unit, draft.slots),
            now,
            self.rules_for(unit),
            self.cache.city().exemptions,
            online=online,
        )

    def quote(self, draft: BookingDraft) -> fees.FeeQuote:
        exemption = self.cache.city().exemptions.get(draft.exemption) if draft.exemption else None
        return fees.quote(draft.unit, draft.slots, draft.residency, draft.surcharges, exemption)

    def book(
        self,
        draft: BookingDraft,
        contact: Mapping[str, str],
        now: datetime,
        online: bool = True,
        rng=None,
    ) -> tuple[Booking | None, list]:
        """Record the booking if every rule holds: (booking, []) or (None, violations)."""
        violations = self.validate(draft, now, online)
        if violations:
            return None, violations
        total = self.quote(draft).total_yen
        booking = Booking(
            id=codes.new_booking_id(),
            code=codes.new_booking_code(rng),
            unit_id=draft.unit.id,
            slots=tuple(sorted(draft.slots)),
            # The kiosk's copy stays provisional until the server confirms it via sync.
            status=BookingStatus.PROVISIONAL,
            residency=draft.residency,
            total_yen=total,
            created_at=now,
        )
        mutation = book_mutation(booking, draft, contact)
        if not online:
            # Made while the server is unreachable: if the server refuses it later, the
            # person has gone and staff must follow up.
            mutation["provisional"] = True
        self.cache.record_booking(booking, dict(contact), mutation, person_key=draft.person_key)
        return booking, []


    def cancel(self, booking_id: str, now: datetime) -> tuple[str | None, list]:
        """Cancel a booking made at this kiosk: (mutation id, []) or (None, violations).

        The local effect (status cancelled, time freed) and the cancellation to push are
        one transaction, so the server hears of it exactly once, after the booking
        itself (the outbox keeps order). The server checks the deadline again; if it
        refuses, sync puts the booking back as it was. Raises KeyError for an unknown id.
        """
        booking = self.cache.get_booking(booking_id)
        if booking is None:
            raise KeyError(booking_id)
        if not booking.status.holds_time:
            return None, [rules.Violation(rules.ViolationCode.NOT_CANCELLABLE)]
        violations = rules.validate_cancellation(booking, now, self.rules_for(self.cache.unit(booking.unit_id)))
        if violations:
            return None, violations
        mutation_id = "cancel-" + codes.new_booking_id()
        self.cache.set_booking_status(booking_id, BookingStatus.CANCELLED, mutation=cancel_mutation(
            mutation_id, booking_id), now=now)
        return mutation_id, []


def cancel_mutation(mutation_id: str, booking_id: str) -> dict:
    """The outbox payload of a cancellation (the wire shape of ``sync.protocol``)."""
    return {"mutation_id": mutation_id, "kind": "cancel", "booking_id": booking_id}


def book_mutation(booking: Booking, draft: BookingDraft, contact: Mapping[str, str]) -> dict:
    """The outbox payload the sync link pushes to the central server."""
    return {
        "kind": "book",
        "booking_id": booking.id,
        "code": booking.code,
        "unit_id": booking.unit_id,
        "slots": [[s.start.isoformat(), s.end.isoformat()] for s in booking.slots],
        "residency": booking.residency.value,
        "surcharges": sorted(draft.surcharges),
        "exemption": draft.exemption,
        "person_key": draft.person_key,
        "total_yen": booking.total_yen,
        "created_at": booking.created_at.isoformat(),
        "contact": dict(contact),
        **({"identity": dict(draft.identity)} if draft.identity else {}),
    }

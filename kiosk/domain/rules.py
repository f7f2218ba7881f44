"""Booking and cancellation rules: every way a request can break them, all at once.

``validate_booking`` returns every violation, not just the first, in a stable order
(the order of ``ViolationCode``, then time order), so a screen can explain everything
in one go and the server and the kiosk agree word for word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from kiosk.domain.availability import BusyIndex
from kiosk.domain.calendar import closure_reason
from kiosk.domain.model import (
    Booking,
    BookingRequest,
    BookingRules,
    BusyInterval,
    Exemption,
    Facility,
    OfflinePolicy,
    Slot,
    Unit,
)
from kiosk.domain.slots import effective_rules, scheduled_slots
from kiosk.domain.windows import advance_days, cancellation_deadline, is_window_open, window_opens_at
from kiosk.i18n import N_


class ViolationCode(StrEnum):
    EMPTY_REQUEST = "empty_request"
    UNKNOWN_UNIT = "unknown_unit"
    SLOT_NOT_OFFERED = "slot_not_offered"
    MIXED_DAYS = "mixed_days"
    CLOSED_DAY = "closed_day"
    IN_THE_PAST = "in_the_past"
    WINDOW_NOT_OPEN = "window_not_open"
    TOO_MANY_SLOTS = "too_many_slots"
    TOO_MANY_ACTIVE_BOOKINGS = "too_many_active_bookings"
    SLOT_TAKEN = "slot_taken"
    GROUP_ONLY = "group_only"
    UNKNOWN_SURCHARGE = "unknown_surcharge"
    UNKNOWN_EXEMPTION = "unknown_exemption"
    OFFLINE_NOT_ALLOWED = "offline_not_allowed"
    CANCELLATION_DEADLINE_PASSED = "cancellation_deadline_passed"
    NOT_CANCELLABLE = "not_cancellable"
    DUPLICATE_SLOT = "duplicate_slot"  # added: the same slot twice in one request
    OVERLAPPING_SLOTS = "overlapping_slots"  # e.g. 全日 and 午前 in one request


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule. ``params`` fill the placeholders of its message.

    Dates are ISO strings ("2026-05-01"), times "HH:MM", so the UI may re-format them.
    """

    code: ViolationCode
    params: Mapping[str, str | int] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The English message template (a gettext msgid), to translate then format:
        ``translator(v.message, **v.params)``."""
        return VIOLATION_MESSAGES[self.code]


VIOLATION_MESSAGES: Mapping[ViolationCode, str] = MappingProxyType({
    ViolationCode.EMPTY_REQUEST: N_("Please choose at least one time slot."),
    ViolationCode.UNKNOWN_UNIT: N_(
        "This room or court cannot be found. Please choose it again from the list."
    ),
    ViolationCode.SLOT_NOT_OFFERED: N_(
        "The time {start} to {end} on {date} is not offered for this room or court."
    ),
    ViolationCode.MIXED_DAYS: N_(
        "One booking can only be for one day. Please book each day separately."
    ),
    ViolationCode.CLOSED_DAY: N_("The facility is closed on {date}."),
    ViolationCode.IN_THE_PAST: N_("The time {start} on {date} has already begun or passed."),
    ViolationCode.WINDOW_NOT_OPEN: N_(
        "Booking for {date} is not open yet. You can book it from {opens_on}."
    ),
    ViolationCode.TOO_MANY_SLOTS: N_("You can book at most {max} time blocks at once."),
    ViolationCode.TOO_MANY_ACTIVE_BOOKINGS: N_(
        "You already have {count} bookings. You can have at most {max} at a time."
    ),
    ViolationCode.SLOT_TAKEN: N_("The time {start} to {end} on {date} is already booked."),
    ViolationCode.GROUP_ONLY: N_("Only registered groups can book this room or court."),
    ViolationCode.UNKNOWN_SURCHARGE: N_(
        "The option \"{code}\" is not available for this room or court."
    ),
    ViolationCode.UNKNOWN_EXEMPTION: N_("The fee reduction \"{code}\" is not available."),
    ViolationCode.OFFLINE_NOT_ALLOWED: N_(
        "This room or court can only be booked while the kiosk is connected. "
        "Please try again later or ask the staff."
    ),
    ViolationCode.CANCELLATION_DEADLINE_PASSED: N_(
        "This booking could be cancelled only until the end of {last_day}. "
        "Please contact the facility."
    ),
    ViolationCode.NOT_CANCELLABLE: N_(
        "This booking has already been cancelled or was not accepted."
    ),
    ViolationCode.DUPLICATE_SLOT: N_("The time {start} to {end} on {date} was chosen twice."),
    ViolationCode.OVERLAPPING_SLOTS: N_(
        "The times {start} to {end} and {other_start} to {other_end} on {date} overlap. "
        "Please choose only one of them."
    ),
})

_NO_EXEMPTIONS: Mapping[str, Exemption] = MappingProxyType({})


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether the half-open intervals [a_start, a_end) and [b_start, b_end) overlap.

    >>> from datetime import datetime as dt
    >>> overlaps(dt(2026, 5, 1, 9), dt(2026, 5, 1, 12), dt(2026, 5, 1, 12), dt(2026, 5, 1, 13))
    False
    """
    return a_start < b_end and b_start < a_end


def _slot_key(slot: Slot) -> tuple[datetime, datetime, str]:
    # Slot's own ordering would compare a None block code with a str and fail.
    return slot.start, slot.end, slot.block_code or ""


def _slot_params(slot: Slot) -> dict[str, str | int]:
    return {
        "date": slot.start.date().isoformat(),
        "start": slot.start.strftime("%H:%M"),
        "end": slot.end.strftime("%H:%M"),
    }


def validate_booking(
    request: BookingRequest,
    unit: Unit | None,
    facility: Facility | None,
    busy: Sequence[BusyInterval],
    now: datetime,
    rules: BookingRules,
    exemptions: Mapping[str, Exemption] = _NO_EXEMPTIONS,
    online: bool = True,
) -> list[Violation]:
    """Every rule ``request`` breaks; [] means it may be booked.

    ``unit`` is the unit the caller found for ``request.unit_id`` (None when there is
    none: UNKNOWN_UNIT, and nothing else can be checked); ``rules`` the city's rules
    (the unit's own override them); ``busy`` what holds time on the unit, without the
    request's own booking when re-validating one; ``online`` whether the central server
    will confirm the booking now (False: a provisional booking).
    """
    found: list[Violation] = []

    def add(violation: ViolationCode, /, **params: str | int) -> None:
        found.append(Violation(violation, params))

    slots = sorted(request.slots, key=_slot_key)
    unique = sorted(set(slots), key=_slot_key)  # per-slot checks report a slot once
    if not slots:
        add(ViolationCode.EMPTY_REQUEST)
    if unit is None or unit.id != request.unit_id:
        add(ViolationCode.UNKNOWN_UNIT, unit_id=request.unit_id)
        return found
    if facility is None or facility.id != unit.facility_id:
        raise ValueError(f"unit {unit.id} belongs to facility {unit.facility_id}, not the one given")
    rules = effective_rules(unit, rules)
    applicant = request.applicant
    days = sorted({slot.start.date() for slot in slots})

    offered: dict[date, frozenset[Slot]] = {
        day: frozenset(scheduled_slots(unit, facility, day)) for day in days
    }
    for slot in unique:
        if slot not in offered[slot.start.date()]:
            add(ViolationCode.SLOT_NOT_OFFERED, **_slot_params(slot))
    if len(days) > 1:
        add(ViolationCode.MIXED_DAYS, days=len(days))
    for day in days:
        reason = closure_reason(facility, day)
        if reason is not None:
            add(ViolationCode.CLOSED_DAY, date=day.isoformat(), reason=str(reason))
    if slots and slots[0].start <= now:
        add(ViolationCode.IN_THE_PAST, **_slot_params(slots[0]))
    for day in days:
        if not is_window_open(day, now, applicant.residency, rules):
            opens = window_opens_at(day, applicant.residency, rules)
            add(
                ViolationCode.WINDOW_NOT_OPEN,
                date=day.isoformat(),
                opens_on=opens.date().isoformat(),
                days=advance_days(rules, applicant.residency),
            )
    if len(slots) > rules.max_slots_per_booking:
        add(ViolationCode.TOO_MANY_SLOTS, max=rules.max_slots_per_booking, count=len(slots))
    if applicant.active_bookings >= rules.max_active_bookings:
        add(
            ViolationCode.TOO_MANY_ACTIVE_BOOKINGS,
            max=rules.max_active_bookings,
            count=applicant.active_bookings,
        )
    index = BusyIndex(unit.id, busy)
    for slot in unique:
        if index.overlaps(slot.start, slot.end):
            add(ViolationCode.SLOT_TAKEN, **_slot_params(slot))
    if unit.group_only and not applicant.group_id:
        add(ViolationCode.GROUP_ONLY)
    known_surcharges = {s.code for s in unit.surcharges}
    for code in sorted(request.surcharge_codes - known_surcharges):
        add(ViolationCode.UNKNOWN_SURCHARGE, code=code)
    if request.exemption_code is not None and request.exemption_code not in exemptions:
        add(ViolationCode.UNKNOWN_EXEMPTION, code=request.exemption_code)
    if not online and unit.offline_policy is OfflinePolicy.ONLINE_ONLY:
        add(ViolationCode.OFFLINE_NOT_ALLOWED)
    for previous, slot in zip(slots, slots[1:]):
        if previous == slot:
            add(ViolationCode.DUPLICATE_SLOT, **_slot_params(slot))
    # Distinct slots of one request that overlap (a whole-day block and a morning block):
    # accepted together they would hold the same time twice. Reported once, for the
    # first pair; slots are sorted by start, so a running latest end finds containment.
    latest = None
    for slot in unique:
        if latest is not None and slot.start < latest.end:
            params = _slot_params(latest)
            add(ViolationCode.OVERLAPPING_SLOTS, **params,
                other_start=f"{slot.start:%H:%M}", other_end=f"{slot.end:%H:%M}")
            break
        if latest is None or slot.end > latest.end:
            latest = slot
    return found


def validate_cancellation(booking: Booking, now: datetime, rules: BookingRules) -> list[Violation]:
    """Every reason ``booking`` cannot be cancelled at ``now``; [] means it can.

    Cancelling is allowed strictly before 00:00 of the booking's day minus
    ``cancellation_deadline_days`` (and never once it has started). ``rules`` are the
    rules of the booking's unit (``effective_rules``).
    """
    found: list[Violation] = []
    start = booking.start
    deadline = min(cancellation_deadline(start.date(), rules), start)
    if now >= deadline:
        found.append(Violation(
            ViolationCode.CANCELLATION_DEADLINE_PASSED,
            {
                "deadline": deadline.strftime("%Y-%m-%d %H:%M"),
                "last_day": (deadline - timedelta(microseconds=1)).date().isoformat(),
                "days": rules.cancellation_deadline_days,
            },
        ))
    if not booking.status.holds_time:
        found.append(Violation(ViolationCode.NOT_CANCELLABLE, {"status": str(booking.status)}))
    return found

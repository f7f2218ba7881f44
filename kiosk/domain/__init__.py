"""Domain core: plain typed rules for availability, booking and fees. No I/O, no UI.

Import from the submodules (``kiosk.domain.rules`` ...) or from here.
"""

from kiosk.domain.availability import (
    DayAvailability,
    DayState,
    SlotAvailability,
    SlotState,
    day_availability,
    month_availability,
)
from kiosk.domain.calendar import ClosureReason, closure_reason
from kiosk.domain.codes import (
    is_valid_booking_code,
    new_booking_code,
    new_booking_id,
    normalize_booking_code,
)
from kiosk.domain.fees import FeeLabel, FeeLine, FeeQuote, quote
from kiosk.domain.rules import (
    VIOLATION_MESSAGES,
    Violation,
    ViolationCode,
    overlaps,
    validate_booking,
    validate_cancellation,
)
from kiosk.domain.slots import effective_rules, slots_for_day
from kiosk.domain.windows import cancellation_deadline, window_opens_at

__all__ = [
    "VIOLATION_MESSAGES",
    "ClosureReason",
    "DayAvailability",
    "DayState",
    "FeeLabel",
    "FeeLine",
    "FeeQuote",
    "SlotAvailability",
    "SlotState",
    "Violation",
    "ViolationCode",
    "cancellation_deadline",
    "closure_reason",
    "day_availability",
    "effective_rules",
    "is_valid_booking_code",
    "month_availability",
    "new_booking_code",
    "new_booking_id",
    "normalize_booking_code",
    "overlaps",
    "quote",
    "slots_for_day",
    "validate_booking",
    "validate_cancellation",
    "window_opens_at",
]

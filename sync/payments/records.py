"""The payment ledger's vocabulary: states, the forward-only state machine, records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .provider import ProviderStatus


class PaymentState(StrEnum):
    CREATED = "created"  # in the ledger, the provider not asked yet (or unreachable)
    PENDING = "pending"  # the provider shows a QR code; waiting for the customer
    UNKNOWN = "unknown"  # a call timed out: the provider's state must be asked
    COMPLETED = "completed"  # paid
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


S = PaymentState

# Forward-only. Two moves deserve a word: PENDING -> UNKNOWN (a cancel timed out; the
# provider may have cancelled or been paid) and DECLINED/EXPIRED/CANCELLED -> COMPLETED
# (the provider reports money moved after all: a charge is never left unrecorded).
TRANSITIONS: Mapping[PaymentState, frozenset[PaymentState]] = {
    S.CREATED: frozenset({S.PENDING, S.UNKNOWN, S.COMPLETED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.UNKNOWN: frozenset({S.PENDING, S.COMPLETED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.PENDING: frozenset({S.UNKNOWN, S.COMPLETED, S.DECLINED, S.EXPIRED, S.CANCELLED}),
    S.DECLINED: frozenset({S.COMPLETED}),
    S.EXPIRED: frozenset({S.COMPLETED}),
    S.CANCELLED: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.PARTIALLY_REFUNDED, S.REFUNDED}),
    S.REFUNDED: frozenset(),
}

NOT_CHARGED = frozenset({S.DECLINED, S.EXPIRED, S.CANCELLED})  # the provider said no money moved
CHARGED = frozenset({S.COMPLETED, S.PARTIALLY_REFUNDED, S.REFUNDED})
UNSETTLED = frozenset({S.CREATED, S.PENDING, S.UNKNOWN})


def state_from_provider(status: ProviderStatus, refunded_yen: int) -> PaymentState:
    if status is ProviderStatus.COMPLETED:
        return S.PARTIALLY_REFUNDED if refunded_yen > 0 else S.COMPLETED
    return {
        ProviderStatus.CREATED: S.PENDING,
        ProviderStatus.FAILED: S.DECLINED,
        ProviderStatus.EXPIRED: S.EXPIRED,
        ProviderStatus.CANCELED: S.CANCELLED,
        ProviderStatus.REFUNDED: S.REFUNDED,
    }[status]


def may_move(current: PaymentState, current_refunded: int, target: PaymentState,
             target_refunded: int) -> bool:
    if target not in TRANSITIONS[current]:
        return False
    if current is S.PARTIALLY_REFUNDED and target is S.PARTIALLY_REFUNDED:
        return target_refunded > current_refunded
    return True


class Source(StrEnum):
    LEDGER = "ledger"  # the ledger's own bookkeeping (a payment opened)
    API = "api"  # an answer (or a timeout) of a call we made to the provider
    WEBHOOK = "webhook"
    RECONCILE = "reconcile"


@dataclass(frozen=True)
class PaymentItem:
    booking_id: str
    amount_yen: int


@dataclass(frozen=True)
class PaymentRecord:
    """What a payment is for; written once."""

    payment_id: str  # also the provider's merchantPaymentId: the idempotency key
    tenant: str
    items: tuple[PaymentItem, ...]
    description: str
    created_at: datetime
    expires_at: datetime

    @property
    def amount_yen(self) -> int:
        return sum(item.amount_yen for item in self.items)

    @property
    def booking_ids(self) -> frozenset[str]:
        return frozenset(item.booking_id for item in self.items)


@dataclass(frozen=True)
class LedgerEntry:
    """One state change, appended and never changed."""

    seq: int
    payment_id: str
    state: PaymentState
    refunded_yen: int
    at: datetime
    source: Source
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundEvent:
    """A refund asked for (REQUESTED) and its outcome (COMPLETED / FAILED); append-only."""

    refund_id: str  # also the provider's merchantRefundId
    payment_id: str
    amount_yen: int
    reason: str
    state: str
    at: datetime


REFUND_REQUESTED, REFUND_COMPLETED, REFUND_FAILED = "requested", "completed", "failed"


@dataclass(frozen=True)
class Settlement:
    """What was done with a charge: bookings paid, bookings refunded (released meanwhile)."""

    payment_id: str
    paid_booking_ids: tuple[str, ...]
    refunded_booking_ids: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class StaffItem:
    """Something staff must look at (e.g. a payment completed after its booking was released)."""

    tenant: str
    payment_id: str
    kind: str
    booking_id: str
    note: str
    at: datetime


@dataclass(frozen=True)
class PaymentView:
    record: PaymentRecord
    state: PaymentState
    refunded_yen: int
    updated_at: datetime
    code_id: str = ""
    url: str = ""  # what the kiosk shows as a QR code
    deeplink: str = ""

    @property
    def payment_id(self) -> str:
        return self.record.payment_id

    @property
    def amount_yen(self) -> int:
        return self.record.amount_yen


class BookingsAlreadyInPayment(Exception):
    """Some of these bookings belong to another payment that may still take money."""

    def __init__(self, payment_id: str, booking_ids: frozenset[str]) -> None:
        super().__init__(f"bookings {sorted(booking_ids)} are in payment {payment_id}")
        self.payment_id = payment_id
        self.booking_ids = booking_ids


class RefundNotPossible(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

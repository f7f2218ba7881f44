"""The simulated provider's own books: payments, refunds, and the events they emit.

In memory, guarded by one lock: the simulator models one provider's authoritative
state, and its state changes are what webhooks report. ``persist`` (set by
``state_file.open_state`` for ``--state FILE``) is called, under the lock, after every
change, so a restarted simulator still knows what it was paid. Every method takes ``now``
(epoch seconds) so tests and the expiry sweeper agree on time.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class SimStatus(StrEnum):
    CREATED = "CREATED"  # code shown, waiting for the customer
    COMPLETED = "COMPLETED"  # paid (refunded_amount may be > 0: partly refunded)
    FAILED = "FAILED"  # the customer declined
    EXPIRED = "EXPIRED"
    CANCELED = "CANCELED"
    REFUNDED = "REFUNDED"  # fully refunded


class SimError(Exception):
    """A request the provider refuses: HTTP status + result code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class SimRefund:
    merchant_refund_id: str
    merchant_payment_id: str
    amount: int
    reason: str
    requested_at: float
    status: str = "COMPLETED"

    def to_json(self) -> dict[str, Any]:
        return {
            "merchantRefundId": self.merchant_refund_id,
            "merchantPaymentId": self.merchant_payment_id,
            "amount": {"amount": self.amount, "currency": "JPY"},
            "reason": self.reason,
            "status": self.status,
            "requestedAt": int(self.requested_at),
        }


@dataclass
class SimPayment:
    merchant_payment_id: str
    code_id: str
    amount: int
    description: str
    expires_at: float
    created_at: float
    status: SimStatus = SimStatus.CREATED
    paid_at: float | None = None
    refunded_amount: int = 0
    refunds: list[SimRefund] = field(default_factory=list)
    cancel_requested_at: float | None = None  # late-completion fault: completes soon
    sequence: int = 0  # bumped on every state change; webhooks carry it

    def to_json(self, base_url: str) -> dict[str, Any]:
        return {
            "merchantPaymentId": self.merchant_payment_id,
            "codeId": self.code_id,
            "url": f"{base_url}/pay/{self.code_id}",
            "deeplink": f"paysim://pay?code={self.code_id}",
            "status": str(self.status),
            "amount": {"amount": self.amount, "currency": "JPY"},
            "orderDescription": self.description,
            "expiresAt": int(self.expires_at),
            "createdAt": int(self.created_at),
            "paidAt": int(self.paid_at) if self.paid_at is not None else None,
            "refundedAmount": self.refunded_amount,
            "refunds": [r.to_json() for r in self.refunds],
            "sequence": self.sequence,
        }


Listener = Callable[[SimPayment], None]


class SimStore:
    def __init__(self, on_change: Listener | None = None) -> None:
        self._lock = threading.RLock()
        self._payments: dict[str, SimPayment] = {}
        self._by_code: dict[str, str] = {}
        self._refunds: dict[str, SimRefund] = {}
        self._on_change = on_change or (lambda p: None)
        self.charges = 0  # completed charges ever made: the audit's ground truth
        self.late_completion = False  # the fault: a payment given up on completes anyway
        # called after each change, before its webhook: what a webhook reports is on disk
        self.persist: Callable[[], None] = lambda: None

    # -- merchant API -------------------------------------------------------------
    def create(self, mpid: str, amount: int, description: str, expires_at: float, now: float
               ) -> tuple[SimPayment, bool]:
        """The payment for ``mpid``, and whether it was created by this call."""
        if not mpid or len(mpid) > 64:
            raise SimError(400, "INVALID_PARAMS", "merchantPaymentId must be 1-64 characters")
        if amount <= 0:
            raise SimError(400, "INVALID_PARAMS", "amount must be a positive number of yen")
        with self._lock:
            existing = self._payments.get(mpid)
            if existing is not None:
                if existing.amount != amount:
                    raise SimError(409, "DUPLICATE_DYNAMIC_QR_REQUEST",
                                   "merchantPaymentId already used with another amount")
                return existing, False
            if expires_at <= now:
                raise SimError(400, "INVALID_PARAMS", "expiresAt is in the past")
            payment = SimPayment(mpid, secrets.token_urlsafe(12), amount, description,
                                 expires_at, now)
            self._payments[mpid] = payment
            self._by_code[payment.code_id] = mpid
            self.persist()  # no webhook for a new code, but a restart must still know it
            return payment, True

    def get(self, mpid: str, now: float) -> SimPayment:
        with self._lock:
            self.sweep(now)
            payment = self._payments.get(mpid)
            if payment is None:
                raise SimError(404, "DYNAMIC_QR_PAYMENT_NOT_FOUND", "no such payment")
            return payment

    def by_code(self, code_id: str, now: float) -> SimPayment:
        with self._lock:
            mpid = self._by_code.get(code_id)
            if mpid is None:
                raise SimError(404, "CODE_NOT_FOUND", "no such code")
            return self.get(mpid, now)

    def cancel(self, mpid: str, now: float) -> SimPayment:
        """Cancel a waiting payment. Cancelling twice is fine; a paid one needs a refund.

        With the late-completion fault the request is accepted but the customer's payment,
        already under way, wins: the caller completes it a moment later.
        """
        with self._lock:
            payment = self.get(mpid, now)
            if payment.status is SimStatus.CANCELED:
                return payment
            if payment.status is not SimStatus.CREATED:
                raise SimError(409, "ORDER_NOT_CANCELABLE",
                               f"payment is {payment.status}, not cancelable")
            if self.late_completion:
                payment.cancel_requested_at = now
                self.persist()
                return payment
            self._change(payment, SimStatus.CANCELED)
            return payment

    def refund(self, refund_id: str, mpid: str, amount: int, reason: str, now: float
               ) -> SimRefund:
        if not refund_id or len(refund_id) > 64:
            raise SimError(400, "INVALID_PARAMS", "merchantRefundId must be 1-64 characters")
        if amount <= 0:
            raise SimError(400, "INVALID_PARAMS", "amount must be a positive number of yen")
        with self._lock:
            existing = self._refunds.get(refund_id)
            if existing is not None:
                if existing.amount != amount or existing.merchant_payment_id != mpid:
                    raise SimError(409, "DUPLICATE_REFUND_REQUEST",
                                   "merchantRefundId already used for another refund")
                return existing
            payment = self.get(mpid, now)
            if payment.status is not SimStatus.COMPLETED:
                raise SimError(409, "PAYMENT_NOT_REFUNDABLE",
                               f"payment is {payment.status}, not refundable")
            if amount > payment.amount - payment.refunded_amount:
                raise SimError(400, "REFUND_AMOUNT_EXCEEDED", "more than the refundable amount")
            refund = SimRefund(refund_id, mpid, amount, reason, now)
            self._refunds[refund_id] = refund
            payment.refunds.append(refund)
            payment.refunded_amount += amount
            full = payment.refunded_amount == payment.amount
            self._change(payment, SimStatus.REFUNDED if full else SimStatus.COMPLETED)
            return refund

    def get_refund(self, refund_id: str) -> SimRefund:
        with self._lock:
            refund = self._refunds.get(refund_id)
            if refund is None:
                raise SimError(404, "REFUND_NOT_FOUND", "no such refund")
            return refund

    # -- the customer's phone -----------------------------------------------------
    def approve(self, code_id: str, now: float) -> SimPayment:
        with self._lock:
            payment = self.by_code(code_id, now)
            if payment.status is SimStatus.COMPLETED:
                return payment  # a double tap pays once
            if payment.status is not SimStatus.CREATED:
                raise SimError(409, "NOT_PAYABLE", f"payment is {payment.status}")
            self._complete(payment, now)
            return payment

    def decline(self, code_id: str, now: float) -> SimPayment:
        with self._lock:
            payment = self.by_code(code_id, now)
            if payment.status is SimStatus.FAILED:
                return payment
            if payment.status is not SimStatus.CREATED:
                raise SimError(409, "NOT_PAYABLE", f"payment is {payment.status}")
            self._change(payment, SimStatus.FAILED)
            return payment

    # -- time ---------------------------------------------------------------------
    def sweep(self, now: float) -> None:
        """Expire waiting payments past their expiry (or, with late completion, pay them)."""
        with self._lock:
            for payment in self._payments.values():
                if payment.status is SimStatus.CREATED and payment.expires_at <= now:
                    if self.late_completion or payment.cancel_requested_at is not None:
                        self._complete(payment, now)
                    else:
                        self._change(payment, SimStatus.EXPIRED)

    def force_expire(self, mpid: str, now: float) -> SimPayment:
        with self._lock:
            payment = self.get(mpid, now)
            if payment.status is SimStatus.CREATED:
                payment.expires_at = min(payment.expires_at, now)
                self.sweep(now)
            return payment

    def complete_cancel_requested(self, now: float, delay: float) -> None:
        """The late completions: cancel was requested, the customer's payment won."""
        with self._lock:
            for payment in self._payments.values():
                requested = payment.cancel_requested_at
                if (payment.status is SimStatus.CREATED and requested is not None
                        and requested + delay <= now):
                    self._complete(payment, now)

    def completions_pending(self) -> bool:
        """Payments whose cancel the late-completion fault accepted: the ticker will still
        complete them (and that sends a webhook)."""
        with self._lock:
            return any(p.status is SimStatus.CREATED and p.cancel_requested_at is not None
                       for p in self._payments.values())

    def all(self) -> list[SimPayment]:
        with self._lock:
            return list(self._payments.values())

    # -- kept across restarts (state_file.py) ------------------------------------------
    def locked(self) -> threading.RLock:
        """Hold it while reading the payments for a snapshot: no change half made."""
        return self._lock

    def restore(self, payments: list[SimPayment], charges: int) -> None:
        """Replace the books with saved ones; the code and refund indexes follow from them
        (a refund's id stays an idempotency key after a restart)."""
        with self._lock:
            self._payments = {p.merchant_payment_id: p for p in payments}
            self._by_code = {p.code_id: p.merchant_payment_id for p in payments}
            self._refunds = {r.merchant_refund_id: r for p in payments for r in p.refunds}
            self.charges = charges

    def _complete(self, payment: SimPayment, now: float) -> None:
        payment.paid_at = now
        self.charges += 1
        self._change(payment, SimStatus.COMPLETED)

    def _change(self, payment: SimPayment, status: SimStatus) -> None:
        payment.status = status
        payment.sequence += 1
        self.persist()
        self._on_change(payment)


def new_event_id() -> str:
    return uuid.uuid4().hex

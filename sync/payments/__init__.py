"""Cashless payments on the central server: provider adapter, ledger, reconciliation.

Public API (see docs/payments.md):
- ``ProviderClient``, ``WebhookVerifier`` and the ``ProviderError`` family (provider.py, errors.py)
- ``Ledger`` over ``DbLedgerStore`` (the server's database), ``PaymentState``, ``PaymentItem``
- ``PaymentService`` (start / status / abandon / refund / handle_webhook / settle)
- ``BookingOperations`` (lookup, cancel with refund, counter payment, unpaid release,
  receipt tokens, check-in)
- ``reconcile(service, now)`` and ``PaymentJob`` for the periodic job
"""

from .config import PaymentsConfig
from .errors import (
    InvalidWebhook,
    PaymentNotFound,
    ProviderAuthFailed,
    ProviderConflict,
    ProviderError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from .ledger import Ledger, UnknownPayment, new_payment_id
from .operations import BookingOperations, BookingPaymentInfo, CancelOutcome, PaymentInProgress
from .provider import ProviderClient, ProviderPayment, ProviderStatus, WebhookEvent, WebhookVerifier
from .receipts import InvalidToken, ReceiptSigner, ReceiptVerifier
from .reconcile import PaymentJob, ReconcileReport, reconcile
from .records import (
    BookingsAlreadyInPayment,
    LedgerEntry,
    PaymentItem,
    PaymentState,
    PaymentView,
    RefundNotPossible,
    Source,
    StaffItem,
)
from .service import NotPayable, PaymentsDisabled, PaymentService
from .store import DbLedgerStore, LedgerStore

__all__ = [
    "BookingOperations", "BookingPaymentInfo", "BookingsAlreadyInPayment", "CancelOutcome",
    "DbLedgerStore", "InvalidToken", "InvalidWebhook", "Ledger", "LedgerEntry", "LedgerStore",
    "NotPayable", "PaymentInProgress", "PaymentItem", "PaymentJob", "PaymentNotFound",
    "PaymentService", "PaymentState", "PaymentView", "PaymentsConfig", "PaymentsDisabled",
    "ProviderAuthFailed", "ProviderClient", "ProviderConflict", "ProviderError",
    "ProviderPayment", "ProviderProtocolError", "ProviderRejected", "ProviderStatus",
    "ProviderTimeout", "ProviderUnavailable", "ReceiptSigner", "ReceiptVerifier",
    "ReconcileReport", "RefundNotPossible", "Source", "StaffItem", "UnknownPayment",
    "WebhookEvent", "WebhookVerifier", "new_payment_id", "reconcile",
]

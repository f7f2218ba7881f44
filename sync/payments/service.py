"""Payments as the central server runs them: ledger + provider + the server's bookings.

    service = PaymentService(db, provider, WebhookVerifier(secret), cities, config)
    view = service.start("122999", ["bk1", "bk2"], now)   # the exact fees, from the bookings
    show_qr(view.url)                                      # PENDING
    service.handle_webhook(body, headers, now)             # COMPLETED -> bookings paid
    service.abandon(view.payment_id, now)                  # the kiosk gave up: cancel

Every provider call is recorded in the ledger before and after; a call that timed out
leaves the payment UNKNOWN for ``reconcile`` to settle. A charge is settled once, in one
transaction with the bookings it pays: a booking released meanwhile (or paid by another
payment, or at the counter) gets its share refunded, and staff see it on their list.
Provider calls never run inside a database transaction.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from sync.server.db import Database

from . import bookkeeping as bk
from .config import PaymentsConfig
from .errors import PaymentNotFound, ProviderConflict, ProviderError, ProviderRejected
from .ledger import Ledger, UnknownPayment, booking_refund_id
from .provider import ProviderClient, ProviderPayment, WebhookVerifier
from .records import (
    CHARGED,
    UNSETTLED,
    PaymentItem,
    PaymentState,
    PaymentView,
    RefundEvent,
    RefundNotPossible,
    Settlement,
    Source,
    StaffItem,
)
from .store import DbLedgerStore

log = logging.getLogger("madoguchi.payments")
S = PaymentState

STAFF_PAID_AFTER_RELEASE = "paid_after_release"  # refunded automatically; staff should know
STAFF_REFUND_FAILED = "refund_failed"  # money held for a released booking: staff must act
STAFF_COUNTER_REFUND = "counter_refund_due"  # paid in cash, cancelled: refund at the counter


class NotPayable(Exception):
    """A booking that cannot be paid now; ``code`` says why (an API error code)."""

    def __init__(self, code: str, booking_id: str = "") -> None:
        super().__init__(f"{code}: {booking_id}")
        self.code = code
        self.booking_id = booking_id


class PaymentsDisabled(Exception):
    """No payment provider is configured: bookings are paid at the counter."""


class PaymentService:
    def __init__(self, db: Database, provider: ProviderClient | None,
                 webhooks: WebhookVerifier | None, cities, config: PaymentsConfig,
                 on_change: Callable[[str], None] = lambda tenant: None) -> None:
        self.db = db
        self.ledger = Ledger(DbLedgerStore(db))
        self.provider = provider
        self.webhooks = webhooks
        self.cities = cities
        self.config = config
        self.on_change = on_change
        self._polled: dict[str, float] = {}  # payment id -> monotonic time of the last provider read
        self._poll_lock = threading.Lock()

    @property
    def payment_ttl(self) -> timedelta:
        return timedelta(seconds=self.config.qr_ttl_s)

    def _provider(self) -> ProviderClient:
        if self.provider is None:
            raise PaymentsDisabled()
        return self.provider

    def rules_for(self, tenant: str, unit_id: str, conn=None):
        from kiosk.domain.slots import effective_rules

        city = self.cities.get(tenant, conn)
        unit = city.unit(unit_id)
        return effective_rules(unit, city.rules) if unit is not None else city.rules

    # -- the kiosk's session ------------------------------------------------------------
    def start(self, tenant: str, booking_ids: Sequence[str], now: datetime) -> PaymentView:
        """The QR payment for these bookings, for their exact fees as the server holds
        them. Calling again (a retry, a second tap) gives the same payment while it can
        still be paid; if the provider was not reached it is asked again with the same
        id. Raises ``NotPayable``, or ``ProviderError`` (recorded) when no code was made."""
        self._provider()
        if not booking_ids or len(set(booking_ids)) != len(booking_ids):
            raise NotPayable("bad_request")
        items, codes = [], []
        with self.db.read() as c:
            for booking_id in booking_ids:
                info = bk.load(c, tenant, booking_id)
                if info is None:
                    raise NotPayable("unknown_booking", booking_id)
                if info.paid is not None:
                    raise NotPayable("already_paid", booking_id)
                if not info.holds:
                    raise NotPayable("not_confirmed", booking_id)
                if info.total_yen <= 0:
                    raise NotPayable("nothing_to_pay", booking_id)
                if now >= bk.pay_deadline(info, self.rules_for(tenant, info.unit_id, c)):
                    raise NotPayable("deadline_passed", booking_id)
                items.append(PaymentItem(booking_id, info.total_yen))
                codes.append(info.code)
        description = f"{self._city_name(tenant)} 施設使用料 {' '.join(codes)}"[:120]
        view = self.ledger.open_payment(tenant, items, description, now, now + self.payment_ttl)
        if view.state not in (S.CREATED, S.UNKNOWN):
            return view
        return self._create_at_provider(view, now)

    def _create_at_provider(self, view: PaymentView, now: datetime) -> PaymentView:
        record = view.record
        # The provider keeps real time; the server's clock may be set to a rehearsal
        # time (MADOGUCHI_CLOCK_START): send the expiry as the same distance from now.
        from sync.server.clock import CITY_TIME_ZONE

        real_expiry = datetime.now(CITY_TIME_ZONE).replace(tzinfo=None) + (record.expires_at - now)
        try:
            payment = self._provider().create_code(record.payment_id, record.amount_yen,
                                                   real_expiry, record.description)
        except ProviderConflict:
            raise  # our id with another amount: a bug, never a second charge
        except ProviderRejected as exc:
            self.ledger.record(record.payment_id, S.CANCELLED, now, Source.API,
                               {"rejected": exc.code or str(exc.status)})
            raise
        except ProviderError as exc:
            if exc.outcome_unknown:
                self.ledger.record(record.payment_id, S.UNKNOWN, now, Source.API,
                                   {"error": type(exc).__name__, "call": "create"})
            raise
        return self._apply(payment, now, Source.API)

    def status(self, tenant: str, payment_id: str, now: datetime, clock=None) -> PaymentView:
        """The payment as the ledger knows it; while it waits, the provider is asked too
        (at most every ``poll_interval_s``): the polling fallback for lost webhooks."""
        import time

        view = self.view(tenant, payment_id)
        if view.state in CHARGED and self.ledger.settlement(payment_id) is None:
            # a webhook recorded the charge and is settling it right now: answer with the
            # bookings it paid, never "paid" without them
            self.settle(payment_id, now, Source.API)
            return self.ledger.view(payment_id)
        if view.state not in UNSETTLED or self.provider is None:
            return view
        mono = (clock or time.monotonic)()
        with self._poll_lock:
            last = self._polled.get(payment_id)
            if last is not None and mono - last < self.config.poll_interval_s:
                return view
            self._polled[payment_id] = mono
            if len(self._polled) > 10_000:
                self._polled.clear()
        try:
            return self.refresh(payment_id, now)
        except ProviderError as exc:
            log.info("status poll of %s failed: %s", payment_id, type(exc).__name__)
            return self.ledger.view(payment_id)

    def view(self, tenant: str, payment_id: str) -> PaymentView:
        view = self.ledger.view(payment_id)  # raises UnknownPayment
        if view.record.tenant != tenant:
            raise UnknownPayment(payment_id)  # another city's payment does not exist here
        return view

    def refresh(self, payment_id: str, now: datetime, source: Source = Source.API) -> PaymentView:
        """Ask the provider and bring the ledger up to date."""
        view = self.ledger.view(payment_id)
        try:
            payment = self._provider().get_payment(payment_id)
        except PaymentNotFound:
            if view.state in (S.CREATED, S.UNKNOWN) and now >= view.record.expires_at:
                # Never created, and it can no longer be: the provider refuses past expiry.
                self.ledger.record(payment_id, S.CANCELLED, now, source,
                                   {"note": "provider has no such payment"})
            return self.ledger.view(payment_id)
        return self._apply(payment, now, source)

    def abandon(self, payment_id: str, now: datetime) -> PaymentView:
        """The kiosk gave up waiting: cancel at the provider. The answer may still be a
        charge (the customer paid at the last moment), which is then settled as usual."""
        view = self.ledger.view(payment_id)
        if view.state not in UNSETTLED:
            return view
        try:
            payment = self._provider().cancel_payment(payment_id)
        except (PaymentNotFound, ProviderConflict):  # never made, or moved on: ask where to
            return self.refresh(payment_id, now)
        except ProviderError as exc:
            if exc.outcome_unknown:
                self.ledger.record(payment_id, S.UNKNOWN, now, Source.API,
                                   {"error": type(exc).__name__, "call": "cancel"})
            return self.ledger.view(payment_id)
        return self._apply(payment, now, Source.API)

    def handle_webhook(self, body: bytes, headers: Mapping[str, str], now: datetime
                       ) -> PaymentView | None:
        """Apply one provider notification. Raises ``InvalidWebhook`` for a bad signature;
        a notification about a payment we do not know is ignored (None). Duplicates and
        stale ones change nothing: the ledger only moves forward."""
        if self.webhooks is None:
            raise PaymentsDisabled()
        event = self.webhooks.parse(body, headers)
        try:
            self.ledger.apply_provider(event.merchant_payment_id, event.status,
                                       event.refunded_yen, now, Source.WEBHOOK,
                                       {"event_id": event.event_id,
                                        "provider_sequence": event.sequence})
        except UnknownPayment:
            log.warning("webhook for unknown payment %s ignored", event.merchant_payment_id)
            return None
        return self._settle_and_view(event.merchant_payment_id, now, Source.WEBHOOK)

    # -- refunds ------------------------------------------------------------------------
    def refund(self, payment_id: str, amount_yen: int, reason: str, now: datetime,
               refund_id: str | None = None) -> PaymentView:
        """Refund part or all of a charge (staff, or a cancellation within the rules)."""
        refund = self.ledger.request_refund(payment_id, amount_yen, reason, now, refund_id)
        self.execute_refund(refund, now, Source.API)
        return self.ledger.view(payment_id)

    def execute_refund(self, refund: RefundEvent, now: datetime, source: Source) -> bool | None:
        """Carry out a noted refund: True done, False refused, None not known yet."""
        try:
            self._provider().refund(refund.refund_id, refund.payment_id, refund.amount_yen,
                                    refund.reason)
        except ProviderRejected as exc:
            log.warning("refund %s refused: %s", refund.refund_id, exc)
            self.ledger.refund_outcome(refund, False, now, source)
            tenant = self.ledger.view(refund.payment_id).record.tenant
            self.ledger.add_staff_item(StaffItem(
                tenant, refund.payment_id, STAFF_REFUND_FAILED, refund.refund_id,
                f"refund of {refund.amount_yen} yen refused: {exc.code}", now))
            return False
        except ProviderError as exc:
            log.warning("refund %s outcome unknown: %s", refund.refund_id, type(exc).__name__)
            return None  # stays open; reconcile asks again with the same refund id
        self.ledger.refund_outcome(refund, True, now, source)
        return True

    # -- settling a charge --------------------------------------------------------------
    def settle(self, payment_id: str, now: datetime, source: Source) -> Settlement | None:
        """Once per charge, in one transaction: its bookings that still hold their time
        and are unpaid become paid by it; every other booking's share is refunded."""
        refunds: list[RefundEvent] = []
        with self.ledger.store.transaction() as tx:
            view = Ledger.view_tx(tx, payment_id)
            if view.state not in CHARGED:
                return None
            existing = tx.settlement(payment_id)
            if existing is not None:
                return existing
            tenant = view.record.tenant
            items = view.record.items
            if view.state is S.REFUNDED:  # given back in full before we settled: nothing to pay
                paid: set[str] = set()
                to_refund: list[PaymentItem] = []
            else:
                paid = bk.confirm_paid(tx.conn, tenant, [(i.booking_id, i.amount_yen) for i in items],
                                       payment_id, now)
                to_refund = [i for i in items if i.booking_id not in paid and i.amount_yen > 0]
            for item in to_refund:
                try:
                    refunds.append(self.ledger.request_refund_tx(
                        tx, payment_id, item.amount_yen, "booking released before payment completed",
                        now, booking_refund_id(payment_id, item.booking_id)))
                except RefundNotPossible as exc:
                    tx.add_staff_item(StaffItem(tenant, payment_id, STAFF_REFUND_FAILED,
                                                item.booking_id, exc.reason, now))
                    continue
                tx.add_staff_item(StaffItem(
                    tenant, payment_id, STAFF_PAID_AFTER_RELEASE, item.booking_id,
                    f"paid {item.amount_yen} yen after the booking was released or paid"
                    " otherwise; refunded automatically", now))
            tx.add_settlement(Settlement(payment_id, tuple(sorted(paid)),
                                         tuple(i.booking_id for i in to_refund), now))
            settlement = tx.settlement(payment_id)
        for refund in refunds:
            self.execute_refund(refund, now, source)
        return settlement

    # -- plumbing -----------------------------------------------------------------------
    def _apply(self, payment: ProviderPayment, now: datetime, source: Source) -> PaymentView:
        self.ledger.apply_provider(payment.merchant_payment_id, payment.status,
                                   payment.refunded_yen, now, source,
                                   {"code_id": payment.code_id, "url": payment.url,
                                    "deeplink": payment.deeplink,
                                    "provider_sequence": payment.sequence})
        return self._settle_and_view(payment.merchant_payment_id, now, source)

    def _settle_and_view(self, payment_id: str, now: datetime, source: Source) -> PaymentView:
        if self.ledger.view(payment_id).state in CHARGED:
            self.settle(payment_id, now, source)
        return self.ledger.view(payment_id)

    def _city_name(self, tenant: str) -> str:
        try:
            name = self.cities.get(tenant).name
            return name.get("ja", "") if isinstance(name, Mapping) else str(name)
        except Exception:  # a missing city folder must not stop a payment
            return tenant

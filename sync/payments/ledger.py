"""The payment ledger: append-only rows, current state derived, exactly-once rules.

- One active provider payment per booking: opening a payment for bookings that belong
  to a payment which may still take money returns that payment (same set) or refuses.
- Every state change is a new row; a change the state machine does not allow (a stale
  or duplicate webhook, a late poll) is ignored, so events may come in any order.
- Refunds are asked for before the provider is called (their id is the provider's
  idempotency key) and their outcome is recorded; the refunded total only grows.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from .provider import ProviderStatus
from .records import (
    CHARGED,
    NOT_CHARGED,
    REFUND_COMPLETED,
    REFUND_FAILED,
    REFUND_REQUESTED,
    BookingsAlreadyInPayment,
    LedgerEntry,
    PaymentItem,
    PaymentRecord,
    PaymentState,
    PaymentView,
    RefundEvent,
    RefundNotPossible,
    Settlement,
    Source,
    StaffItem,
    may_move,
    state_from_provider,
)
from .store import LedgerStore, LedgerTx

S = PaymentState


class UnknownPayment(KeyError):
    pass


def new_payment_id() -> str:
    return "pay-" + uuid.uuid4().hex


def booking_refund_id(payment_id: str, booking_id: str, why: str = "release") -> str:
    """The one refund id for giving back one booking's share of a payment for one reason
    (a release, a cancellation): asked twice, the provider refunds once."""
    digest = hashlib.sha256(f"{payment_id}\n{booking_id}\n{why}".encode()).hexdigest()[:40]
    return "rf-" + digest


def _view(record: PaymentRecord, entries: Sequence[LedgerEntry]) -> PaymentView:
    last = entries[-1]
    links: dict[str, str] = {}
    for entry in entries:
        for key in ("code_id", "url", "deeplink"):
            if entry.detail.get(key):
                links[key] = str(entry.detail[key])
    return PaymentView(record, last.state, last.refunded_yen, last.at, **links)


def _blocks_bookings(state: PaymentState) -> bool:
    """Whether a payment in this state may still hold (or has taken) money for its bookings."""
    return state not in NOT_CHARGED and state is not S.REFUNDED


class Ledger:
    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    # -- payments ---------------------------------------------------------------------
    def open_payment(self, tenant: str, items: Sequence[PaymentItem], description: str,
                     now: datetime, expires_at: datetime, payment_id: str | None = None) -> PaymentView:
        """A payment for these bookings, created unless one is already under way."""
        if not items:
            raise ValueError("a payment needs at least one booking")
        if len({i.booking_id for i in items}) != len(items):
            raise ValueError("a booking appears twice in one payment")
        if any(i.amount_yen < 0 for i in items) or sum(i.amount_yen for i in items) <= 0:
            raise ValueError("a payment needs a positive amount")
        wanted = {i.booking_id: i.amount_yen for i in items}
        with self.store.transaction() as tx:
            for other in tx.payments_with_bookings(tenant, list(wanted)):
                entries = tx.entries(other.payment_id)
                if not _blocks_bookings(entries[-1].state) or tx.settlement(other.payment_id):
                    continue  # no money can come of it, or its charge is already settled
                if {i.booking_id: i.amount_yen for i in other.items} == wanted:
                    return _view(other, entries)
                raise BookingsAlreadyInPayment(other.payment_id,
                                               other.booking_ids & frozenset(wanted))
            record = PaymentRecord(payment_id or new_payment_id(), tenant, tuple(items), description,
                                   now, expires_at)
            tx.insert_payment(record)
            tx.append(record.payment_id, S.CREATED, 0, now, Source.LEDGER, {})
            return _view(record, tx.entries(record.payment_id))

    def view(self, payment_id: str) -> PaymentView:
        with self.store.transaction() as tx:
            return self._view_tx(tx, payment_id)

    def history(self, payment_id: str) -> list[LedgerEntry]:
        with self.store.transaction() as tx:
            return tx.entries(payment_id)

    def payments_in(self, states: Collection[PaymentState]) -> list[PaymentView]:
        with self.store.transaction() as tx:
            return [self._view_tx(tx, pid) for pid in tx.payment_ids_in(states)]

    def all_payments(self, tenant: str | None = None) -> list[PaymentView]:
        with self.store.transaction() as tx:
            return [self._view_tx(tx, pid) for pid in tx.all_payment_ids(tenant)]

    def payments_for_booking(self, tenant: str, booking_id: str) -> list[PaymentView]:
        with self.store.transaction() as tx:
            return self.payments_for_booking_tx(tx, tenant, booking_id)

    def payments_for_booking_tx(self, tx: LedgerTx, tenant: str, booking_id: str) -> list[PaymentView]:
        return [self._view_tx(tx, r.payment_id) for r in tx.payments_with_bookings(tenant, [booking_id])]

    @staticmethod
    def view_tx(tx: LedgerTx, payment_id: str) -> PaymentView:
        return Ledger._view_tx(tx, payment_id)

    @staticmethod
    def _view_tx(tx: LedgerTx, payment_id: str) -> PaymentView:
        record = tx.payment(payment_id)
        if record is None:
            raise UnknownPayment(payment_id)
        return _view(record, tx.entries(payment_id))

    # -- state changes ------------------------------------------------------------------
    def record(self, payment_id: str, state: PaymentState, now: datetime, source: Source,
               detail: dict[str, Any] | None = None, refunded_yen: int | None = None) -> bool:
        """Append ``state`` if the state machine allows it from the current one."""
        with self.store.transaction() as tx:
            return self._record_tx(tx, payment_id, state, now, source, detail or {}, refunded_yen)

    def apply_provider(self, payment_id: str, status: ProviderStatus, refunded_yen: int,
                       now: datetime, source: Source, detail: dict[str, Any] | None = None) -> bool:
        """Bring the ledger up to what the provider reports. A refund reported before its
        completion was seen records the completion first: no charge goes unrecorded."""
        target = state_from_provider(status, refunded_yen)
        with self.store.transaction() as tx:
            changed = False
            current = self._view_tx(tx, payment_id)
            if target in (S.PARTIALLY_REFUNDED, S.REFUNDED) and current.state not in CHARGED:
                changed |= self._record_tx(tx, payment_id, S.COMPLETED, now, source,
                                           dict(detail or {}, implied_by=str(target)), 0)
            return self._record_tx(tx, payment_id, target, now, source, detail or {},
                                   refunded_yen) or changed

    def _record_tx(self, tx: LedgerTx, payment_id: str, state: PaymentState, now: datetime,
                   source: Source, detail: dict[str, Any], refunded_yen: int | None) -> bool:
        current = self._view_tx(tx, payment_id)
        if refunded_yen is None:
            refunded_yen = current.refunded_yen
        if state is S.REFUNDED:
            refunded_yen = current.amount_yen
        if not may_move(current.state, current.refunded_yen, state, refunded_yen):
            return False
        tx.append(payment_id, state, max(refunded_yen, current.refunded_yen), now, source, detail)
        return True

    # -- refunds ------------------------------------------------------------------------
    def request_refund(self, payment_id: str, amount_yen: int, reason: str, now: datetime,
                       refund_id: str | None = None) -> RefundEvent:
        """Note a refund before asking the provider; the same refund id again is a no-op."""
        with self.store.transaction() as tx:
            return self.request_refund_tx(tx, payment_id, amount_yen, reason, now, refund_id)

    def request_refund_tx(self, tx: LedgerTx, payment_id: str, amount_yen: int, reason: str,
                          now: datetime, refund_id: str | None = None) -> RefundEvent:
        refund_id = refund_id or "rf-" + uuid.uuid4().hex
        view = self._view_tx(tx, payment_id)
        events = tx.refund_events(payment_id)
        for event in events:
            if event.refund_id == refund_id and event.state == REFUND_REQUESTED:
                if event.amount_yen != amount_yen:
                    raise RefundNotPossible("refund id reused for another amount")
                return event
        if view.state not in CHARGED:
            raise RefundNotPossible(f"payment is {view.state}, nothing was charged")
        committed = _committed_refunds(events)
        if amount_yen <= 0 or amount_yen > view.amount_yen - max(committed, view.refunded_yen):
            raise RefundNotPossible("more than what is left to refund")
        event = RefundEvent(refund_id, payment_id, amount_yen, reason, REFUND_REQUESTED, now)
        tx.add_refund_event(event)
        return event

    def refund_outcome(self, refund: RefundEvent, succeeded: bool, now: datetime,
                       source: Source) -> None:
        """Record what the provider did with a refund, and the new refunded total."""
        with self.store.transaction() as tx:
            state = REFUND_COMPLETED if succeeded else REFUND_FAILED
            tx.add_refund_event(RefundEvent(refund.refund_id, refund.payment_id,
                                            refund.amount_yen, refund.reason, state, now))
            if not succeeded:
                return
            view = self._view_tx(tx, refund.payment_id)
            done = sum(e.amount_yen for e in tx.refund_events(refund.payment_id)
                       if e.state == REFUND_COMPLETED)
            total = max(done, view.refunded_yen)
            target = S.REFUNDED if total >= view.amount_yen else S.PARTIALLY_REFUNDED
            self._record_tx(tx, refund.payment_id, target, now, source,
                            {"refund_id": refund.refund_id}, total)

    def open_refunds(self) -> list[RefundEvent]:
        """Refunds asked for whose outcome is not known yet."""
        with self.store.transaction() as tx:
            events = tx.refund_events()
        settled = {e.refund_id for e in events if e.state != REFUND_REQUESTED}
        return [e for e in events if e.state == REFUND_REQUESTED and e.refund_id not in settled]

    def refunds(self, payment_id: str) -> list[RefundEvent]:
        with self.store.transaction() as tx:
            return tx.refund_events(payment_id)

    # -- settlement and staff -----------------------------------------------------------
    def settlement(self, payment_id: str) -> Settlement | None:
        with self.store.transaction() as tx:
            return tx.settlement(payment_id)

    def add_staff_item(self, item: StaffItem) -> bool:
        with self.store.transaction() as tx:
            return tx.add_staff_item(item)

    def staff_items(self, tenant: str) -> list[StaffItem]:
        with self.store.transaction() as tx:
            return tx.staff_items(tenant)


def _committed_refunds(events: Sequence[RefundEvent]) -> int:
    """Yen refunded or being refunded (asked, not failed)."""
    failed = {e.refund_id for e in events if e.state == REFUND_FAILED}
    return sum(e.amount_yen for e in events
               if e.state == REFUND_REQUESTED and e.refund_id not in failed)

"""What people and staff do with a booking's payment, beyond the QR flow itself.

- ``lookup``: a person finds their booking by its code (and phone, for guests)
- ``cancel_booking``: cancel with a refund by the rules (full before the cancellation
  deadline, none after; both configurable), through the same provider adapter
- ``counter_paid``: staff took the fee at the counter
- ``release_unpaid``: the periodic job gives back unpaid bookings past their deadline
- ``receipt_token`` / ``check_in``: the signed token on the receipt, and staff scanning it
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.domain.windows import cancellation_deadline

from . import bookkeeping as bk
from .records import CHARGED, UNSETTLED, RefundEvent, Source, StaffItem
from .receipts import InvalidToken, ReceiptVerifier
from .service import STAFF_COUNTER_REFUND, NotPayable, PaymentService
from .ledger import Ledger, booking_refund_id
from .store import LedgerReader

log = logging.getLogger("madoguchi.payments")


class PaymentInProgress(Exception):
    def __init__(self, payment_id: str) -> None:
        super().__init__(payment_id)
        self.payment_id = payment_id


@dataclass(frozen=True)
class BookingPaymentInfo:
    """One booking as My bookings shows it."""

    booking: bk.BookingInfo
    pay_deadline: datetime
    cancel_deadline: datetime
    refund_percent_now: int
    cancellable: bool
    open_payment_id: str | None  # a QR payment that may still take money


@dataclass(frozen=True)
class CancelOutcome:
    booking_id: str
    status: str
    refund_yen: int
    refund_done: bool | None  # True refunded, False refused (staff), None pending
    counter_refund: bool  # paid in cash: staff refund it at the counter
    already: bool = False


def _phone_digits(text: str) -> str:
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "") if ch.isdigit())


class BookingOperations:
    def __init__(self, service: PaymentService, verifier: ReceiptVerifier | None = None) -> None:
        self.s = service
        self.verifier = verifier

    # -- My bookings --------------------------------------------------------------------
    def lookup(self, tenant: str, code: str, phone: str, now: datetime) -> BookingPaymentInfo | None:
        """The booking with this code whose phone matches (a booking made with no phone
        cannot be found this way). None when nothing matches: no hint which part was wrong."""
        wanted = _phone_digits(phone)
        if not wanted:
            return None
        with self.s.db.read() as c:
            for info in bk.find_by_code(c, tenant, code.strip().upper()):
                if _phone_digits(info.contact.get("phone", "")) == wanted:
                    return self._info(c, info, now)
        return None

    def info(self, tenant: str, booking_id: str, now: datetime) -> BookingPaymentInfo | None:
        with self.s.db.read() as c:
            info = bk.load(c, tenant, booking_id)
            return self._info(c, info, now) if info else None

    def _info(self, c, info: bk.BookingInfo, now: datetime) -> BookingPaymentInfo:
        rules = self.s.rules_for(info.tenant, info.unit_id, c)
        deadline = min(cancellation_deadline(info.start.date(), rules), info.start)
        before = now < deadline
        cfg = self.s.config
        percent = cfg.refund_before_deadline_percent if before else cfg.refund_after_deadline_percent
        cancellable = info.holds and now < info.start and (before or cfg.allow_late_cancel)
        open_id = None
        tx = LedgerReader(c)  # inside the caller's read transaction
        for view in self.s.ledger.payments_for_booking_tx(tx, info.tenant, info.id):
            if view.state in UNSETTLED or (view.state in CHARGED and tx.settlement(view.payment_id) is None):
                open_id = view.payment_id
        return BookingPaymentInfo(info, bk.pay_deadline(info, rules), deadline, percent, cancellable, open_id)

    def cancel_booking(self, tenant: str, booking_id: str, now: datetime, by: str) -> CancelOutcome:
        """Cancel and refund by the rules. Raises ``NotPayable`` with ``not_cancellable``,
        ``started`` or ``deadline_passed``."""
        refund: RefundEvent | None = None
        abandon: list[str] = []
        with self.s.ledger.store.transaction() as tx:
            info = bk.load(tx.conn, tenant, booking_id, lock=True)
            if info is None:
                raise NotPayable("unknown_booking", booking_id)
            if info.status == bk.CANCELLED:
                return CancelOutcome(booking_id, info.status, 0, None, False, already=True)
            if not info.holds:
                raise NotPayable("not_cancellable", booking_id)
            if now >= info.start:
                raise NotPayable("started", booking_id)
            rules = self.s.rules_for(tenant, info.unit_id, tx.conn)
            before = now < min(cancellation_deadline(info.start.date(), rules), info.start)
            cfg = self.s.config
            if not before and not cfg.allow_late_cancel:
                raise NotPayable("deadline_passed", booking_id)
            percent = cfg.refund_before_deadline_percent if before else cfg.refund_after_deadline_percent
            paid = info.paid
            refund_yen = int(paid["amount_yen"]) * percent // 100 if paid else 0
            bk.release(tx.conn, tenant, info, now, bk.REASON_CANCELLED, bk.EV_CANCELLED,
                       by=by, refund_percent=percent, refund_yen=refund_yen)
            counter = bool(paid and paid["method"] == "counter" and refund_yen > 0)
            if paid and paid["method"] == "qr" and refund_yen > 0:
                refund = self.s.ledger.request_refund_tx(
                    tx, paid["payment_id"], refund_yen, "booking cancelled", now,
                    booking_refund_id(paid["payment_id"], booking_id, "cancel"))
            if counter:
                tx.add_staff_item(StaffItem(tenant, "counter", STAFF_COUNTER_REFUND, booking_id,
                                            f"paid {paid['amount_yen']} yen at the counter; refund"
                                            f" {refund_yen} yen in cash", now))
            abandon = [v.payment_id for v in self.s.ledger.payments_for_booking_tx(tx, tenant, booking_id)
                       if v.state in UNSETTLED]
        self.s.on_change(tenant)
        done: bool | None = None
        if refund is not None:
            done = self.s.execute_refund(refund, now, Source.API)
        for payment_id in abandon:
            self.s.abandon(payment_id, now)
        return CancelOutcome(booking_id, bk.CANCELLED, refund_yen, done, counter)

    # -- staff ----------------------------------------------------------------------------
    def counter_paid(self, tenant: str, booking_id: str, staff: str, now: datetime,
                     note: str = "") -> bk.BookingInfo:
        """Staff took the fee in cash. Idempotent; refused while a QR payment may still
        take money for it (``PaymentInProgress``: cancel that one first)."""
        with self.s.ledger.store.transaction() as tx:
            info = bk.load(tx.conn, tenant, booking_id, lock=True)
            if info is None:
                raise NotPayable("unknown_booking", booking_id)
            if info.paid is not None:
                if info.paid["method"] == "counter":
                    return info
                raise NotPayable("already_paid", booking_id)
            if not info.holds:
                raise NotPayable("not_confirmed", booking_id)
            for view in self.s.ledger.payments_for_booking_tx(tx, tenant, booking_id):
                if view.state in UNSETTLED or (view.state in CHARGED and tx.settlement(view.payment_id) is None):
                    raise PaymentInProgress(view.payment_id)
            bk.mark_counter_paid(tx.conn, tenant, info, info.total_yen, staff, now, note)
            return bk.load(tx.conn, tenant, booking_id) or info

    def release_unpaid(self, now: datetime) -> list[str]:
        """Give back every unpaid booking past its payment deadline, unless a QR payment
        for it may still take money (it waits for that to settle)."""
        released: list[str] = []
        due: list[tuple[str, str]] = []
        with self.s.db.read() as c:  # find the due ones first: write transactions only for them
            for tenant in bk.tenants(c):
                shortest = self._shortest_hold(tenant)
                for booking_id in bk.unpaid_candidates(c, tenant, now - shortest, now):
                    info = bk.load(c, tenant, booking_id)
                    if info and now >= bk.pay_deadline(info, self.s.rules_for(tenant, info.unit_id, c)):
                        due.append((tenant, booking_id))
        grace = self.s.config.reconcile_grace_s
        changed: set[str] = set()
        for tenant, booking_id in due:  # checked again under the ledger's lock
            with self.s.ledger.store.transaction() as tx:
                info = bk.load(tx.conn, tenant, booking_id, lock=True)
                if info is None or not info.holds or info.paid is not None:
                    continue
                if now < bk.pay_deadline(info, self.s.rules_for(tenant, info.unit_id, tx.conn)):
                    continue
                busy = False
                for view in self.s.ledger.payments_for_booking_tx(tx, tenant, booking_id):
                    if view.state in CHARGED and tx.settlement(view.payment_id) is None:
                        busy = True  # money came in: settle it first
                    elif view.state in UNSETTLED and (now - view.record.expires_at).total_seconds() < grace:
                        busy = True  # its QR code can still be paid
                if busy:
                    continue
                bk.release(tx.conn, tenant, info, now, bk.REASON_UNPAID, bk.EV_RELEASED)
                released.append(booking_id)
                changed.add(tenant)
        for tenant in changed:
            self.s.on_change(tenant)
        return released

    def _shortest_hold(self, tenant: str):
        from datetime import timedelta

        try:
            city = self.s.cities.get(tenant)
        except Exception:  # a tenant without city data: every booking is a candidate
            return timedelta(0)
        days = [city.rules.unpaid_hold_days] + [u.rules.unpaid_hold_days for u in city.units if u.rules]
        return timedelta(days=max(0, min(days)))

    # -- receipts and check-in -------------------------------------------------------------
    def receipt_token(self, info: bk.BookingInfo) -> str:
        signer = self.verifier
        if signer is None or not hasattr(signer, "sign"):
            raise RuntimeError("no receipt key configured")
        paid = info.paid
        claims: dict[str, Any] = {
            "t": info.tenant, "b": info.id, "c": info.code, "u": info.unit_id,
            "s": info.start.isoformat(timespec="minutes"), "e": info.end.isoformat(timespec="minutes"),
            "p": {"m": paid["method"], "y": int(paid["amount_yen"])} if paid else None,
        }
        return signer.sign(claims)  # type: ignore[attr-defined]

    def check_in(self, tenant: str, token: str, staff: str, now: datetime) -> dict[str, Any]:
        """Verify a scanned token and record the check-in. Raises ``InvalidToken`` for a
        forged, altered or foreign token; ``NotPayable`` for a booking no longer held."""
        if self.verifier is None:
            raise InvalidToken("no receipt key configured")
        claims = self.verifier.verify(token)
        if claims.get("t") != tenant or not isinstance(claims.get("b"), str):
            raise InvalidToken("not a booking of this city")
        with self.s.db.write() as c:
            info = bk.load(c, tenant, claims["b"])
            if info is None or info.code != claims.get("c"):
                raise InvalidToken("no such booking")
            if not info.holds:
                raise NotPayable("not_confirmed", info.id)
            before = [e for e in bk.events(c, tenant, info.id) if e["kind"] == bk.EV_CHECKED_IN]
            if not before:
                bk.event(c, tenant, info.id, bk.EV_CHECKED_IN, now, staff=staff)
        return {"booking": info, "already_checked_in_at": before[0]["at"] if before else None}


__all__ = ["BookingOperations", "BookingPaymentInfo", "CancelOutcome", "InvalidToken",
           "Ledger", "PaymentInProgress"]

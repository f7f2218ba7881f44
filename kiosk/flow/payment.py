"""The payment part of a kiosk session: pay now by QR or at the counter, the receipt,
and My bookings (look up by booking number + phone, pay, cancel with a refund).

``PaymentFlow`` is owned by ``KioskFlow`` (``flow.pay``) and moves the same state
machine (``kiosk.flow.states``). It talks to the central server only through a
``kiosk.payments.PaymentClient`` (no client: the kiosk has no server, so only the
counter). Network reads while a person waits are split in two so the page's event loop
never blocks on them: ``fetch()`` runs on a worker thread and touches nothing of the
session but reading the payment id; ``apply()`` runs on the loop.
"""

from __future__ import annotations

import logging
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk.domain.model import BookingStatus, Slot
from kiosk.flow import payment_messages as P
from kiosk.flow.messages import Notice
from kiosk.flow.pending import Pending
from kiosk.flow.states import Event, State
from kiosk.payments.client import (
    BookingFound,
    CancelResult,
    PaymentRefused,
    PaymentStatus,
    PaymentUnavailable,
    Receipt,
)

log = logging.getLogger(__name__)

POLL_S = 1.0
CONFIG_TTL_S = 60.0
FAILED_STATES = {"declined": P.FAILED_DECLINED, "expired": P.FAILED_EXPIRED,
                 "cancelled": P.FAILED_CANCELLED, "unavailable": P.FAILED_UNAVAILABLE,
                 "refused": P.FAILED_REFUSED}


@dataclass(frozen=True)
class PayBooking:
    """A booking of this session (or found in My bookings) that can be paid."""

    booking_id: str
    code: str
    total_yen: int
    unit_id: str
    slots: tuple[Slot, ...]
    pay_deadline: datetime | None


@dataclass
class PaySession:
    bookings: list[PayBooking] = field(default_factory=list)
    payment: PaymentStatus | None = None
    seen_at: float = 0.0  # monotonic time the payment was last read
    failure: str = ""  # declined | expired | cancelled | unavailable | refused
    receipts: tuple[Receipt, ...] = ()
    paid_yen: int = 0
    printed: str = ""  # "" | "printing" | "ok" | "failed"
    found: BookingFound | None = None
    proof: tuple[str, str] = ("", "")  # booking number, phone (My bookings)
    cancel_result: CancelResult | None = None
    polled_at: float = 0.0


class PaymentFlow:
    def __init__(self, flow, client=None, printer=None, monotonic=time.monotonic) -> None:
        self.flow = flow
        self.client = client
        self.printer = printer
        self.monotonic = monotonic
        self._enabled: tuple[float, bool, tuple[str, ...]] | None = None  # (checked at, enabled, apps)

    @property
    def s(self) -> PaySession:
        return self.flow.session.pay

    # -- whether paying by app is possible now -----------------------------------------
    def refresh_config(self) -> None:
        if self.client is None or not self.flow.online():
            return
        try:
            config = self.client.config()
        except (PaymentUnavailable, PaymentRefused):
            return
        self._enabled = (self.monotonic(), config.enabled, config.accepted_apps)

    def available(self) -> bool:
        """Paying by app: a server, online, with payments switched on (checked lately)."""
        if self.client is None or not self.flow.online():
            return False
        if self._enabled is None or self.monotonic() - self._enabled[0] > CONFIG_TTL_S:
            self.refresh_config()
        return bool(self._enabled and self._enabled[1])

    def unavailable_reason(self) -> str:
        return P.PAY_OFFLINE if not self.flow.online() else P.PAY_DISABLED

    def accepted_apps(self) -> tuple[str, ...]:
        if self.s.payment is not None and self.s.payment.accepted_apps:
            return self.s.payment.accepted_apps
        return self._enabled[2] if self._enabled else ()

    # -- after a booking ------------------------------------------------------------------
    def after_booking(self, booking, online: bool) -> Event:
        """Where a new booking leads: the payment choice when the server confirmed it and
        it costs something; else the done screen (offline: provisional, pay at counter)."""
        if not online or self.client is None or booking.status is not BookingStatus.CONFIRMED \
                or booking.total_yen <= 0:
            return Event.SELECT_BOOK
        self.s.bookings.append(PayBooking(booking.id, booking.code, booking.total_yen, booking.unit_id,
                                          tuple(booking.slots), self._deadline(booking)))
        self.refresh_config()
        return Event.SELECT_BOOK_TO_PAY

    def _deadline(self, booking) -> datetime:
        rules = self.flow.bookings.rules_for(self.flow.cache.unit(booking.unit_id))
        return min(booking.created_at + timedelta(days=rules.unpaid_hold_days), booking.start)

    def total_yen(self) -> int:
        return sum(b.total_yen for b in self.s.bookings)

    def book_another(self) -> None:
        self.flow._go(Event.BOOK_ANOTHER)
        session = self.flow.session
        session.day, session.slots, session.surcharges = None, [], set()
        session.exemption, session.booking = None, None

    def choose_counter(self) -> None:
        self.flow._go(Event.PAY_COUNTER)

    # -- paying by QR ---------------------------------------------------------------------
    def choose_qr(self) -> None:
        """Start (or, asked again, resume) the payment for every booking of the session."""
        self.flow._require(Event.PAY_QR)
        if not self.available():
            self.flow.session.notices = [Notice(self.unavailable_reason())]
            return
        try:
            status = self.client.start([b.booking_id for b in self.s.bookings])
        except PaymentUnavailable:
            self.flow.session.notices = [Notice(P.FAILED_UNAVAILABLE)]
            return
        except PaymentRefused as exc:
            log.info("payment refused by the server: %s", exc.code)
            self.flow.session.notices = [Notice(P.FAILED_REFUSED)]
            return
        self.s.payment, self.s.seen_at, self.s.failure = status, self.monotonic(), ""
        self.s.polled_at = self.s.seen_at
        self.flow._go(Event.PAY_QR)
        if status.paid:  # paid already (a retry after a lost answer): the receipt
            self._paid(status)

    def cancel_payment(self) -> None:
        """The person stops paying. The server may answer that it was paid after all."""
        self.flow._require(Event.PAYMENT_FAILED)
        status = self.s.payment
        try:
            if status is not None:
                status = self.client.cancel(status.payment_id)
        except (PaymentUnavailable, PaymentRefused):
            pass  # the server cancels it at expiry; if money comes, it is settled or refunded
        if status is not None and status.paid:
            self._paid(status)
            return
        self.s.payment, self.s.seen_at = status, self.monotonic()
        self.s.failure = "cancelled"
        self.flow._go(Event.PAYMENT_FAILED)

    def _paid(self, status: PaymentStatus) -> None:
        self.s.payment, self.s.receipts = status, status.receipts
        self.s.paid_yen = status.amount_yen
        self.flow._go(Event.PAYMENT_PAID)

    # -- the poll (thread) and its result (loop) --------------------------------------------
    def wants_poll(self) -> bool:
        payment = self.s.payment
        return (self.flow.state in (State.PAYING, State.PAY_FAILED) and payment is not None
                and payment.waiting and self.monotonic() - self.s.polled_at >= POLL_S)

    def fetch(self):
        """Worker thread: the payment's status, or the exception that stopped it."""
        payment = self.s.payment
        if payment is None or self.client is None:
            return None
        try:
            return self.client.status(payment.payment_id)
        except (PaymentUnavailable, PaymentRefused) as exc:
            return exc

    def apply(self, result) -> bool:
        """Loop: take a polled status; True when the screen must change."""
        self.s.polled_at = self.monotonic()
        if not isinstance(result, PaymentStatus):
            return False  # no answer this time: keep waiting, the server keeps the truth
        payment = self.s.payment
        if payment is None or result.payment_id != payment.payment_id \
                or self.flow.state not in (State.PAYING, State.PAY_FAILED):
            return False  # the person moved on meanwhile
        self.s.payment, self.s.seen_at = result, self.monotonic()
        if result.paid:
            self._paid(result)
            return True
        if self.flow.state is State.PAYING and not result.waiting:
            self.s.failure = result.state if result.state in FAILED_STATES else "refused"
            self.flow._go(Event.PAYMENT_FAILED)
            return True
        return False

    def seconds_left(self) -> int:
        payment = self.s.payment
        if payment is None:
            return 0
        return max(0, int(payment.seconds_left - (self.monotonic() - self.s.seen_at)))

    def keeps_awake(self) -> bool:
        """While a person pays on their phone the inactivity timeout must not strike."""
        return self.flow.state is State.PAYING

    # -- the receipt ---------------------------------------------------------------------
    def print_receipt(self) -> Pending | None:
        """Print every receipt of the payment. A printer (a network one above all) may
        take seconds: the page waits for it off its loop (kiosk/flow/pending.py) while
        the screen says it is printing."""
        from kiosk.payments.receipt_text import receipt_document

        if self.flow.state is not State.RECEIPT or self.printer is None or self.s.printed == "printing":
            return None
        documents = [
            receipt_document(self.flow, receipt,
                             next((b for b in self.s.bookings if b.booking_id == receipt.booking_id), None),
                             self.s.payment)
            for receipt in self.s.receipts
        ]
        printer, session = self.printer, self.s
        session.printed = "printing"

        def send() -> bool:
            try:
                for document in documents:
                    printer.print(document)
                return True
            except Exception:  # no paper, no device: say so, never a trace
                log.exception("printing a receipt failed")
                return False

        def done(ok: object) -> None:
            if self.s is session and session.printed == "printing":  # not wiped meanwhile
                session.printed = "ok" if ok else "failed"

        return Pending(wait=send, finish=done)

    # -- My bookings ---------------------------------------------------------------------
    def open_my_bookings(self) -> None:
        self.flow._go(Event.SELECT_MY_BOOKINGS)

    def edit_proof(self, code: str | None, phone: str | None) -> None:
        """What the person has typed so far (a re-drawn screen must not lose it)."""
        if self.flow.state is not State.MY_LOOKUP:
            return
        old_code, old_phone = self.s.proof
        self.s.proof = (old_code if code is None else code[:16], old_phone if phone is None else phone[:20])

    def lookup(self, code: str, phone: str) -> None:
        self.flow._require(Event.LOOKUP)
        from kiosk.flow.guest_details import normalize_phone

        code = "".join(unicodedata.normalize("NFKC", code).split()).upper()
        phone = normalize_phone(phone)
        self.s.proof = (code, phone)
        if not code or not phone:
            self.flow.session.notices = [Notice(P.LOOKUP_MISSING)]
            return
        if self.client is None or not self.flow.online():
            self.flow.session.notices = [Notice(P.MY_OFFLINE)]
            return
        try:
            found = self.client.lookup(code, phone)
        except (PaymentUnavailable, PaymentRefused):
            self.flow.session.notices = [Notice(P.MY_OFFLINE)]
            return
        if found is None:
            self.flow.session.notices = [Notice(P.LOOKUP_NOT_FOUND)]
            return
        self._show(found)
        self.flow._go(Event.LOOKUP)

    def _show(self, found: BookingFound) -> None:
        self.s.found = found
        slots = tuple(Slot(s, e, code) for s, e, code in found.slots)
        self.s.bookings = [PayBooking(found.booking_id, found.code, found.total_yen, found.unit_id,
                                      slots, found.pay_deadline)]

    def can_pay_found(self) -> bool:
        f = self.s.found
        return bool(f and f.status == "confirmed" and not f.paid and f.total_yen > 0
                    and self.flow.clock.now() < f.pay_deadline)

    def pay_found(self) -> None:
        if not self.can_pay_found():
            return
        self.refresh_config()
        self.choose_qr()

    def cancel_found(self) -> None:
        if self.s.found is None or not self.s.found.cancellable:
            return
        self.flow._go(Event.CANCEL_BOOKING)

    def confirm_cancel(self) -> None:
        self.flow._require(Event.CONFIRM_CANCEL)
        found = self.s.found
        code, phone = self.s.proof
        try:
            result = self.client.cancel_booking(found.booking_id, code, phone)
        except (PaymentUnavailable, PaymentRefused):
            self.flow.session.notices = [Notice(P.CANCEL_FAILED)]
            return
        self.s.cancel_result = result
        self.flow._go(Event.CONFIRM_CANCEL)

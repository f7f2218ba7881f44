"""View-models of the payment and My bookings screens, and their builders.

Registered into ``kiosk.flow.screens._BUILDERS`` (one line there); each screen's Flet
view lives in ``kiosk/ui/screens/<state>.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from kiosk.flow import messages as M
from kiosk.flow import payment_messages as P
from kiosk.flow.localize import block_name, data_text
from kiosk.flow.payment import FAILED_STATES, PayBooking
from kiosk.flow.receipt import qr_png
from kiosk.flow.states import State
from kiosk.flow.viewmodels import Action, Chrome

Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PayChoiceScreen:
    chrome: Chrome
    note: str
    bookings: Rows  # (booking number, place and time)
    total_label: str
    total: str
    options: tuple[Action, ...]
    unavailable: str  # why paying by app is off, or ""


@dataclass(frozen=True)
class PayingScreen:
    chrome: Chrome
    amount_label: str
    amount: str
    qr_png: bytes
    qr_label: str
    qr_url: str
    how: str
    apps: str
    countdown: str
    status: str
    cancel: Action


@dataclass(frozen=True)
class PayFailedScreen:
    chrome: Chrome
    message: str
    options: tuple[Action, ...]


@dataclass(frozen=True)
class ReceiptCard:
    code: str
    summary: str
    qr_png: bytes
    qr_label: str


@dataclass(frozen=True)
class ReceiptScreen:
    chrome: Chrome
    paid: str
    cards: tuple[ReceiptCard, ...]
    show_note: str
    print: Action | None
    print_note: str
    finish: Action


@dataclass(frozen=True)
class CounterScreen:
    chrome: Chrome
    message: str
    bookings: Rows
    deadline: str
    finish: Action


@dataclass(frozen=True)
class MyLookupScreen:
    chrome: Chrome
    code_label: str
    code: str
    phone_label: str
    phone: str
    submit_label: str
    submit: Callable[[str, str], None]
    edit: Callable[[str | None, str | None], None]  # keep what is typed, as it is typed


@dataclass(frozen=True)
class MyBookingScreen:
    chrome: Chrome
    summary: Rows
    note: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class MyCancelledScreen:
    chrome: Chrome
    summary: Rows
    message: str
    finish: Action


def _chrome(flow, title: str, *, back: bool = True) -> Chrome:
    from kiosk.flow.screens import _chrome as chrome

    return chrome(flow, title, back=back)


def place_of(flow, unit_id: str, t=None) -> str:
    t = t or flow.t
    unit = flow.cache.unit(unit_id)
    facility = flow.cache.facility(unit.facility_id)
    return f"{data_text(t, facility.names)} {data_text(t, unit.names)}"


def when_of(flow, booking: PayBooking, t=None) -> str:
    t = t or flow.t
    unit = flow.cache.unit(booking.unit_id)
    blocks = {b.code: block_name(t, b.code, b.names) for b in unit.blocks}
    parts = []
    for slot in booking.slots:
        times = t(M.SLOT_TIME_RANGE, start=t.time(slot.start), end=t.time(slot.end))
        parts.append(f"{blocks[slot.block_code]} {times}" if slot.block_code in blocks else times)
    day = t.date(booking.slots[0].start.date(), "full") if booking.slots else ""
    return f"{day} {' / '.join(parts)}".strip()


def _deadline_text(flow, when) -> str:
    t = flow.t
    return f"{t.date(when.date(), 'full')} {t.time(when)}"


def _rows(flow) -> Rows:
    return tuple((b.code, f"{place_of(flow, b.unit_id)} — {when_of(flow, b)} — {flow.t.yen(b.total_yen)}")
                 for b in flow.pay.s.bookings)


def home_options(flow) -> tuple[Action, ...]:
    t = flow.t
    return (Action("task-my-bookings", t(P.TASK_MY_BOOKINGS), partial(flow.select_task, "my_bookings"),
                   detail=t(P.TASK_MY_BOOKINGS_DETAIL)),)


def countdown_words(flow, seconds: int) -> str:
    t = flow.t
    minutes, rest = divmod(max(0, seconds), 60)
    if minutes and rest:
        words = t(P.MINUTES_SECONDS, minutes=t.ngettext(*P.MINUTES, minutes),
                  seconds=t.ngettext(*P.SECONDS, rest))
    elif minutes:
        words = t.ngettext(*P.MINUTES, minutes)
    else:
        words = t.ngettext(*P.SECONDS, rest)
    return t(P.TIME_LEFT, time=words)


def _pay_choice(flow) -> PayChoiceScreen:
    t, pay = flow.t, flow.pay
    available = pay.available()
    deadline = min((b.pay_deadline for b in pay.s.bookings if b.pay_deadline), default=None)
    qr = Action("pay-qr", t(P.PAY_QR), pay.choose_qr, enabled=available, detail=t(P.PAY_QR_DETAIL))
    counter = Action("pay-counter", t(P.PAY_COUNTER), pay.choose_counter,
                     detail=t(P.PAY_COUNTER_DETAIL, deadline=_deadline_text(flow, deadline)) if deadline else "")
    another = Action("book-another", t(P.BOOK_ANOTHER), pay.book_another, detail=t(P.BOOK_ANOTHER_DETAIL))
    return PayChoiceScreen(
        chrome=_chrome(flow, t(P.TITLE_PAY_CHOICE), back=False),
        note=t(P.BOOKED_NOTE, codes=", ".join(b.code for b in pay.s.bookings)),
        bookings=_rows(flow), total_label=t(P.AMOUNT_TO_PAY), total=t.yen(pay.total_yen()),
        options=(qr, counter, another),
        unavailable="" if available else t(pay.unavailable_reason()),
    )


def _paying(flow) -> PayingScreen:
    t, pay = flow.t, flow.pay
    payment = pay.s.payment
    amount = t.yen(payment.amount_yen)
    apps = ", ".join(pay.accepted_apps())
    return PayingScreen(
        chrome=_chrome(flow, t(P.TITLE_PAYING), back=False),
        amount_label=t(P.AMOUNT_TO_PAY), amount=amount,
        qr_png=qr_png(payment.qr_url) if payment.qr_url else b"",
        qr_label=t(P.QR_LABEL, amount=amount), qr_url=payment.qr_url,
        how=t(P.PAYING_HOW), apps=t(P.ACCEPTED_APPS, apps=apps) if apps else "",
        countdown=countdown_words(flow, pay.seconds_left()),
        status=t(P.WAITING) if pay.seconds_left() > 0 else t(P.CHECKING),
        cancel=Action("cancel-payment", t(P.CANCEL_PAYMENT), pay.cancel_payment),
    )


def _pay_failed(flow) -> PayFailedScreen:
    t, pay = flow.t, flow.pay
    retry = Action("pay-retry", t(P.TRY_AGAIN), pay.choose_qr, enabled=pay.available())
    counter = Action("pay-counter", t(P.PAY_COUNTER), pay.choose_counter)
    return PayFailedScreen(chrome=_chrome(flow, t(P.TITLE_PAY_FAILED), back=False),
                           message=t(FAILED_STATES.get(pay.s.failure, P.FAILED_REFUSED)),
                           options=(retry, counter))


def _receipt(flow) -> ReceiptScreen:
    t, pay = flow.t, flow.pay
    cards = []
    for receipt in pay.s.receipts:
        booking = next((b for b in pay.s.bookings if b.booking_id == receipt.booking_id), None)
        summary = f"{place_of(flow, booking.unit_id)} — {when_of(flow, booking)}" if booking else ""
        cards.append(ReceiptCard(receipt.code, summary, qr_png(receipt.token, box_size=6),
                                 t(P.RECEIPT_QR_LABEL, code=receipt.code)))
    note = {"printing": t(P.PRINTING), "ok": t(P.PRINTED), "failed": t(P.PRINT_FAILED)}.get(pay.s.printed, "")
    printable = pay.printer is not None
    return ReceiptScreen(
        chrome=_chrome(flow, t(P.TITLE_RECEIPT), back=False),
        paid=t(P.RECEIPT_PAID, amount=t.yen(pay.s.paid_yen)), cards=tuple(cards),
        show_note=t(P.RECEIPT_QR),
        print=Action("print-receipt", t(P.PRINT_RECEIPT), pay.print_receipt,
                     enabled=pay.s.printed != "printing") if printable else None,
        print_note=note, finish=Action("finish", t(P.FINISH), flow.start_over),
    )


def _counter(flow) -> CounterScreen:
    t, pay = flow.t, flow.pay
    deadline = min((b.pay_deadline for b in pay.s.bookings if b.pay_deadline), default=None)
    return CounterScreen(
        chrome=_chrome(flow, t(P.TITLE_COUNTER), back=False), message=t(P.COUNTER_MESSAGE),
        bookings=_rows(flow),
        deadline=t(P.COUNTER_DEADLINE, deadline=_deadline_text(flow, deadline)) if deadline else "",
        finish=Action("finish", t(P.FINISH), flow.start_over),
    )


def _my_lookup(flow) -> MyLookupScreen:
    t = flow.t
    code, phone = flow.pay.s.proof
    return MyLookupScreen(chrome=_chrome(flow, t(P.TITLE_MY_LOOKUP)), code_label=t(P.CODE_LABEL),
                          code=code, phone_label=t(M.PHONE_LABEL), phone=phone,
                          submit_label=t(P.LOOKUP), submit=flow.pay.lookup, edit=flow.pay.edit_proof)


def _status_text(flow) -> str:
    t, f = flow.t, flow.pay.s.found
    if f.status == "cancelled":
        return t(P.STATUS_CANCELLED)
    if f.status != "confirmed":
        return t(P.STATUS_REJECTED)
    if f.paid:
        return t(P.STATUS_PAID)
    if f.total_yen <= 0:
        return t(P.STATUS_NO_FEE)
    return t(P.STATUS_UNPAID, deadline=_deadline_text(flow, f.pay_deadline))


def _found_rows(flow) -> Rows:
    t, pay = flow.t, flow.pay
    f, booking = pay.s.found, pay.s.bookings[0]
    return ((t(P.CODE_LABEL), f.code), (t(M.SUMMARY_PLACE), place_of(flow, f.unit_id)),
            (t(M.SUMMARY_DAY), when_of(flow, booking)), (t(M.FEE_TOTAL), t.yen(f.total_yen)),
            (t(P.STATUS_LABEL), _status_text(flow)))


def _refund_note(flow) -> str:
    t, f = flow.t, flow.pay.s.found
    if f.status != "confirmed":
        return ""
    if not f.cancellable:
        return t(P.NOT_CANCELLABLE)
    if not f.paid:
        return ""
    if f.refund_yen_if_cancelled > 0:
        return t(P.REFUND_FULL, amount=t.yen(f.refund_yen_if_cancelled))
    return t(P.REFUND_NONE, deadline=_deadline_text(flow, f.cancel_deadline))


def _my_booking(flow) -> MyBookingScreen:
    t, pay = flow.t, flow.pay
    f = pay.s.found
    actions = []
    if pay.can_pay_found():
        actions.append(Action("pay-qr", t(P.PAY_THIS), pay.pay_found, enabled=pay.available(),
                              detail="" if pay.available() else t(pay.unavailable_reason())))
    if f.cancellable:
        actions.append(Action("cancel-booking", t(P.CANCEL_THIS), pay.cancel_found))
    actions.append(Action("finish", t(P.FINISH), flow.start_over))
    return MyBookingScreen(_chrome(flow, t(P.TITLE_MY_BOOKING)), _found_rows(flow), _refund_note(flow),
                           tuple(actions))


def _my_cancel(flow) -> MyBookingScreen:
    t, pay = flow.t, flow.pay
    actions = (Action("confirm-cancel", t(P.CONFIRM_CANCEL), pay.confirm_cancel),
               Action("keep-booking", t(P.KEEP_BOOKING), flow.back))
    return MyBookingScreen(_chrome(flow, t(P.TITLE_MY_CANCEL)), _found_rows(flow), _refund_note(flow), actions)


def _my_cancelled(flow) -> MyCancelledScreen:
    t, pay = flow.t, flow.pay
    r = pay.s.cancel_result
    if r.counter_refund:
        message = t(P.REFUND_AT_COUNTER, amount=t.yen(r.refund_yen))
    elif r.refund_yen > 0:
        message = t(P.REFUNDED, amount=t.yen(r.refund_yen))
    else:
        message = t(P.NO_REFUND)
    f = pay.s.found
    rows = ((t(P.CODE_LABEL), f.code), (t(M.SUMMARY_PLACE), place_of(flow, f.unit_id)))
    return MyCancelledScreen(_chrome(flow, t(P.TITLE_MY_CANCELLED), back=False), rows, message,
                             Action("finish", t(P.FINISH), flow.start_over))


BUILDERS = {
    State.PAY_CHOICE: _pay_choice,
    State.PAYING: _paying,
    State.PAY_FAILED: _pay_failed,
    State.RECEIPT: _receipt,
    State.COUNTER: _counter,
    State.MY_LOOKUP: _my_lookup,
    State.MY_BOOKING: _my_booking,
    State.MY_CANCEL: _my_cancel,
    State.MY_CANCELLED: _my_cancelled,
}

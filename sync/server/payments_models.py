"""Wire models of the payment endpoints (request bodies, answers) and their builders."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..protocol import CityTimeOut  # city wall-clock times, as every router answers them

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
Text = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00]*$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StartPaymentIn(_In):
    booking_ids: list[Id] = Field(min_length=1, max_length=10)


class LookupIn(_In):
    code: Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9\-]+$")]
    phone: Annotated[str, StringConstraints(min_length=1, max_length=20, pattern=r"^[0-9０-９\-ー－ +]+$")]


class RefundIn(_In):
    amount_yen: int = Field(gt=0, le=10_000_000)
    reason: Text = ""
    refund_id: Id | None = None  # the idempotency key; give one to retry safely


class CounterPaymentIn(_In):
    note: Text = ""


class CheckInIn(_In):
    token: Annotated[str, StringConstraints(min_length=1, max_length=1000)]


class PaymentRefusalOut(BaseModel):
    detail: dict[str, Any] = Field(description='{"code": "...", ...}: payments_disabled, provider_unavailable, '
                                   'already_paid, not_confirmed, nothing_to_pay, deadline_passed, in_other_payment, '
                                   'unknown_payment, not_found, refund_not_possible, payment_in_progress, ...')


class PaymentItemOut(BaseModel):
    booking_id: str
    code: str
    amount_yen: int


class ReceiptOut(BaseModel):
    booking_id: str
    code: str
    token: str  # the signed booking token staff scan at check-in


class PaymentOut(BaseModel):
    payment_id: str
    state: str  # created | pending | unknown | completed | declined | expired | cancelled | ...
    amount_yen: int
    refunded_yen: int
    items: list[PaymentItemOut]
    qr_url: str  # what the kiosk shows as a QR code ("" until the provider made one)
    expires_at: CityTimeOut
    seconds_left: int
    accepted_apps: list[str]
    receipts: list[ReceiptOut] = Field(default_factory=list)  # bookings this payment paid
    history: list[dict[str, Any]] | None = None  # staff view only


class PaymentConfigOut(BaseModel):
    enabled: bool
    accepted_apps: list[str]
    qr_ttl_s: int


class BookingPaymentOut(BaseModel):
    booking_id: str
    code: str
    unit_id: str
    facility_id: str
    status: str  # confirmed | cancelled | rejected
    total_yen: int
    start: CityTimeOut
    end: CityTimeOut
    slots: list[dict[str, Any]]
    paid: bool
    paid_method: str | None
    paid_yen: int
    pay_deadline: CityTimeOut
    cancel_deadline: CityTimeOut
    cancellable: bool
    refund_yen_if_cancelled: int
    open_payment_id: str | None
    receipt_token: str | None


class CancelOut(BaseModel):
    booking_id: str
    status: str
    refund_yen: int
    refund_done: bool | None  # true refunded; false refused (staff act); null: still in progress
    counter_refund: bool  # paid in cash: refunded at the counter
    already: bool = False


class StaffItemOut(BaseModel):
    tenant: str
    payment_id: str
    kind: str
    booking_id: str
    note: str
    at: CityTimeOut


class CheckInOut(BaseModel):
    booking_id: str
    code: str
    unit_id: str
    start: CityTimeOut
    end: CityTimeOut
    paid: bool
    paid_method: str | None
    already_checked_in_at: CityTimeOut | None


def payment_out(view, ops, config, now: datetime) -> PaymentOut:
    from sync.payments.records import CHARGED

    service = ops.s
    codes: dict[str, str] = {}
    receipts: list[ReceiptOut] = []
    with service.db.read() as c:
        from sync.payments import bookkeeping as bk

        infos = {i.booking_id: bk.load(c, view.record.tenant, i.booking_id) for i in view.record.items}
    for booking_id, info in infos.items():
        codes[booking_id] = info.code if info else ""
    if view.state in CHARGED:
        settlement = service.ledger.settlement(view.payment_id)
        for booking_id in settlement.paid_booking_ids if settlement else ():
            info = infos.get(booking_id)
            if info is not None and info.holds and info.paid:
                receipts.append(ReceiptOut(booking_id=booking_id, code=info.code,
                                           token=ops.receipt_token(info)))
    left = int((view.record.expires_at - now).total_seconds())
    return PaymentOut(
        payment_id=view.payment_id, state=str(view.state), amount_yen=view.amount_yen,
        refunded_yen=view.refunded_yen,
        items=[PaymentItemOut(booking_id=i.booking_id, code=codes.get(i.booking_id, ""),
                              amount_yen=i.amount_yen) for i in view.record.items],
        qr_url=view.url, expires_at=view.record.expires_at, seconds_left=max(0, left),
        accepted_apps=list(config.accepted_apps), receipts=receipts,
    )


def booking_out(info, ops, cities) -> BookingPaymentOut:
    b = info.booking
    city = cities.get(b.tenant)
    unit = city.unit(b.unit_id)
    paid_yen = int(b.paid["amount_yen"]) if b.paid else 0
    return BookingPaymentOut(
        booking_id=b.id, code=b.code, unit_id=b.unit_id,
        facility_id=unit.facility_id if unit else "", status=b.status, total_yen=b.total_yen,
        start=b.start, end=b.end,
        slots=[{"start": s.isoformat(), "end": e.isoformat(), "block_code": code} for s, e, code in b.slots],
        paid=b.paid is not None, paid_method=b.paid["method"] if b.paid else None, paid_yen=paid_yen,
        pay_deadline=info.pay_deadline, cancel_deadline=info.cancel_deadline,
        cancellable=info.cancellable, refund_yen_if_cancelled=paid_yen * info.refund_percent_now // 100,
        open_payment_id=info.open_payment_id,
        receipt_token=ops.receipt_token(b) if b.holds else None,
    )

"""The payment endpoints of the central server, mounted by ``create_app`` in one line.

Kiosks start a QR payment for bookings (the fee is the server's own), read its status,
cancel it; look up a booking by code + phone, cancel it with a refund by the rules. The
provider posts webhooks (signature checked, no bearer token). Staff mark counter
payments, refund, cancel, list what needs them, and check people in by the signed
token on their receipt. A job in the server process reconciles and releases unpaid
bookings past their deadline. Without a configured provider every payment endpoint
answers 409 ``payments_disabled`` and kiosks offer only the counter; with the provider
down, starting a payment answers 503 ``provider_unavailable`` (``Retry-After``).
"""


import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Request
from fastapi.responses import JSONResponse

from sync.payments import (
    BookingOperations,
    BookingsAlreadyInPayment,
    InvalidToken,
    InvalidWebhook,
    NotPayable,
    PaymentInProgress,
    PaymentJob,
    PaymentsConfig,
    PaymentsDisabled,
    PaymentService,
    ProviderClient,
    ProviderConflict,
    ProviderError,
    ReceiptSigner,
    RefundNotPossible,
    UnknownPayment,
    WebhookVerifier,
)

from ..protocol import ErrorOut
from .clock import server_now
from .payments_models import (
    BookingPaymentOut,
    CancelOut,
    CheckInIn,
    CheckInOut,
    CounterPaymentIn,
    LookupIn,
    PaymentConfigOut,
    PaymentOut,
    PaymentRefusalOut,
    RefundIn,
    StaffItemOut,
    StartPaymentIn,
    booking_out,
    payment_out,
)

log = logging.getLogger("madoguchi.payments")
PaymentId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")]
BookingId = PaymentId
_E = {401: {"model": ErrorOut, "description": "no or unknown token"},
      403: {"model": ErrorOut, "description": "a revoked credential, or the wrong role"}}


def _r(description: str) -> dict[str, Any]:
    """A documented refusal: ``{"detail": {"code": ..., ...}}``."""
    return {"model": PaymentRefusalOut, "description": description}


_OFF = {409: _r("payments_disabled: no payment provider is configured (or another refusal)")}
_404 = {404: _r("unknown_payment / unknown_booking / not_found")}
# The provider is down or did not answer in time: the kiosk may ask again (the same
# charge, never a second) or offer the counter.
_DOWN = {503: {**_r("provider_unavailable: the payment provider is down or did not answer; retry later"),
               "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}}}
RETRY_AFTER_S = 5


def _refuse(status: int, code: str, headers: dict[str, str] | None = None, **extra: Any) -> HTTPException:
    return HTTPException(status, {"code": code, **extra}, headers=headers)


def mount_payments(app: FastAPI, db, cities, *, kiosk: Callable, staff: Callable,
                   on_change: Callable[[str], None], config: PaymentsConfig | None = None) -> None:
    config = config or PaymentsConfig.from_env()
    provider = (ProviderClient(config.provider_url, config.api_key, config.api_secret,
                               timeout=config.provider_timeout_s, attempts=config.provider_attempts)
                if config.enabled else None)
    webhooks = WebhookVerifier(config.webhook_secret) if config.enabled else None
    service = PaymentService(db, provider, webhooks, cities, config, on_change=on_change)
    signer = ReceiptSigner.load_or_create(_key_file(db, config)) if _real(db) else ReceiptSigner.generate()
    ops = BookingOperations(service, signer)
    job = PaymentJob(service, ops, server_now, config.reconcile_interval_s)
    app.state.payments = service
    app.state.booking_ops = ops
    app.state.payments_job = job

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        if provider is not None:
            job.start()
        try:
            async with inner(a) as state:
                yield state
        finally:
            job.stop()
            if provider is not None:
                provider.close()

    app.router.lifespan_context = lifespan
    Kiosk = Annotated[Any, Depends(kiosk)]
    Staff = Annotated[Any, Depends(staff)]

    def enabled() -> None:
        if provider is None:
            raise _refuse(409, "payments_disabled")

    def out(view) -> PaymentOut:
        return payment_out(view, ops, config, server_now())

    def not_payable(exc: NotPayable) -> HTTPException:
        return _refuse(409, exc.code, booking_id=exc.booking_id)

    # -- kiosks ---------------------------------------------------------------------------
    @app.get("/v1/payments/config", response_model=PaymentConfigOut, responses=_E, tags=["payments"])
    def payment_config(cred: Kiosk) -> PaymentConfigOut:
        """Whether cashless payment is on, which apps pay, how long a QR code lasts."""
        return PaymentConfigOut(enabled=provider is not None, accepted_apps=list(config.accepted_apps),
                                qr_ttl_s=int(config.qr_ttl_s))

    @app.post("/v1/payments", response_model=PaymentOut, status_code=201, tags=["payments"],
              responses={**_E, 409: _r("a booking cannot be paid now (already_paid, not_confirmed, "
                                       "nothing_to_pay, deadline_passed, in_other_payment), or payments_disabled"),
                         **_DOWN})
    def start_payment(body: StartPaymentIn, cred: Kiosk) -> PaymentOut:
        """A QR payment for one or several bookings (their exact fees, from the server's
        books). Asked again for the same bookings: the same payment while it can be paid."""
        enabled()
        try:
            view = service.start(cred.tenant, body.booking_ids, server_now())
        except NotPayable as exc:
            raise not_payable(exc) from None
        except BookingsAlreadyInPayment as exc:
            raise _refuse(409, "in_other_payment", payment_id=exc.payment_id) from None
        except (ProviderConflict, ProviderError) as exc:
            log.warning("starting a payment failed: %s", type(exc).__name__)
            raise _refuse(503, "provider_unavailable", headers={"Retry-After": str(RETRY_AFTER_S)}) from None
        return out(view)

    @app.get("/v1/payments/{payment_id}", response_model=PaymentOut, tags=["payments"],
             responses={**_E, **_404})
    def get_payment(payment_id: PaymentId, cred: Kiosk) -> PaymentOut:
        """The payment's state; while it waits the server also asks the provider."""
        try:
            return out(service.status(cred.tenant, payment_id, server_now()))
        except UnknownPayment:
            raise _refuse(404, "unknown_payment") from None

    @app.post("/v1/payments/{payment_id}/cancel", response_model=PaymentOut, tags=["payments"],
              responses={**_E, **_OFF, **_404})
    def cancel_payment(payment_id: PaymentId, cred: Kiosk) -> PaymentOut:
        """The person gave up. The answer may still be COMPLETED (paid at the last moment)."""
        enabled()
        try:
            service.view(cred.tenant, payment_id)
        except UnknownPayment:
            raise _refuse(404, "unknown_payment") from None
        return out(service.abandon(payment_id, server_now()))

    @app.post("/v1/bookings/lookup", response_model=BookingPaymentOut, tags=["my bookings"],
              responses={**_E, 404: _r("not_found: no booking with this code and phone")})
    def lookup(body: LookupIn, cred: Kiosk) -> BookingPaymentOut:
        info = ops.lookup(cred.tenant, body.code, body.phone, server_now())
        if info is None:
            raise _refuse(404, "not_found")
        return booking_out(info, ops, cities)

    @app.post("/v1/bookings/{booking_id}/cancel", response_model=CancelOut, tags=["my bookings"],
              responses={**_E, **_404, 409: _r("not possible in the booking's or payment's state")})
    def cancel_booking(booking_id: BookingId, body: LookupIn, cred: Kiosk) -> CancelOut:
        """Cancel with the refund the rules give (the person proves it is theirs again)."""
        now = server_now()
        info = ops.lookup(cred.tenant, body.code, body.phone, now)
        if info is None or info.booking.id != booking_id:
            raise _refuse(404, "not_found")
        try:
            outcome = ops.cancel_booking(cred.tenant, booking_id, now, by=f"kiosk:{cred.name}")
        except NotPayable as exc:
            raise not_payable(exc) from None
        return CancelOut(**outcome.__dict__)

    # -- the provider -------------------------------------------------------------------------
    @app.post("/v1/payments/webhooks/provider", tags=["payments"],
              responses={400: _r("invalid_webhook: bad signature or body"), **_OFF})
    async def webhook(request: Request) -> JSONResponse:
        """Provider notifications (signed). Duplicates and stale ones change nothing."""
        from fastapi.concurrency import run_in_threadpool

        enabled()
        body = await request.body()
        try:
            view = await run_in_threadpool(service.handle_webhook, body, dict(request.headers), server_now())
        except InvalidWebhook:
            return JSONResponse({"detail": {"code": "invalid_webhook"}}, status_code=400)
        return JSONResponse({"ok": True, "state": str(view.state) if view else None})

    # -- staff ------------------------------------------------------------------------------
    @app.get("/v1/staff/payments/items", response_model=list[StaffItemOut], tags=["staff"], responses=_E)
    def staff_items(cred: Staff) -> list[StaffItemOut]:
        """What staff must look at: charges refunded because their booking was released,
        refunds the provider refused, cash refunds due at the counter."""
        return [StaffItemOut(**item.__dict__) for item in service.ledger.staff_items(cred.tenant)]

    @app.get("/v1/staff/payments/{payment_id}", response_model=PaymentOut, tags=["staff"],
             responses={**_E, **_404})
    def staff_payment(payment_id: PaymentId, cred: Staff) -> PaymentOut:
        try:
            view = service.view(cred.tenant, payment_id)
        except UnknownPayment:
            raise _refuse(404, "unknown_payment") from None
        result = out(view)
        result.history = [{"state": str(e.state), "refunded_yen": e.refunded_yen, "source": str(e.source),
                           "at": e.at.isoformat()} for e in service.ledger.history(payment_id)]
        return result

    @app.post("/v1/staff/payments/{payment_id}/refund", response_model=PaymentOut, tags=["staff"],
              responses={**_E, **_OFF, **_404})
    def staff_refund(payment_id: PaymentId, body: RefundIn, cred: Staff) -> PaymentOut:
        enabled()
        try:
            service.view(cred.tenant, payment_id)
            view = service.refund(payment_id, body.amount_yen, body.reason, server_now(), body.refund_id)
        except UnknownPayment:
            raise _refuse(404, "unknown_payment") from None
        except RefundNotPossible as exc:
            raise _refuse(409, "refund_not_possible", reason=exc.reason) from None
        return out(view)

    @app.post("/v1/staff/payments/{payment_id}/cancel", response_model=PaymentOut, tags=["staff"],
              responses={**_E, **_OFF, **_404})
    def staff_cancel_payment(payment_id: PaymentId, cred: Staff) -> PaymentOut:
        return cancel_payment(payment_id, cred)

    @app.get("/v1/staff/bookings/{booking_id}/payment", response_model=BookingPaymentOut,
             tags=["staff"], responses={**_E, **_404})
    def staff_booking(booking_id: BookingId, cred: Staff) -> BookingPaymentOut:
        info = ops.info(cred.tenant, booking_id, server_now())
        if info is None:
            raise _refuse(404, "unknown_booking")
        return booking_out(info, ops, cities)

    @app.post("/v1/staff/bookings/{booking_id}/counter-payment", response_model=BookingPaymentOut,
              tags=["staff"], responses={**_E, **_404, 409: _r("not possible in the booking's or payment's state")})
    def counter_payment(booking_id: BookingId, body: CounterPaymentIn, cred: Staff) -> BookingPaymentOut:
        """The fee was taken at the counter. Refused while a QR payment may still take money."""
        now = server_now()
        try:
            ops.counter_paid(cred.tenant, booking_id, f"staff:{cred.name}", now, body.note)
        except NotPayable as exc:
            raise (_refuse(404, exc.code) if exc.code == "unknown_booking" else not_payable(exc)) from None
        except PaymentInProgress as exc:
            raise _refuse(409, "payment_in_progress", payment_id=exc.payment_id) from None
        info = ops.info(cred.tenant, booking_id, now)
        assert info is not None
        return booking_out(info, ops, cities)

    @app.post("/v1/staff/bookings/{booking_id}/cancel", response_model=CancelOut, tags=["staff"],
              responses={**_E, **_404, 409: _r("not possible in the booking's or payment's state")})
    def staff_cancel_booking(booking_id: BookingId, cred: Staff) -> CancelOut:
        try:
            outcome = ops.cancel_booking(cred.tenant, booking_id, server_now(), by=f"staff:{cred.name}")
        except NotPayable as exc:
            raise (_refuse(404, exc.code) if exc.code == "unknown_booking" else not_payable(exc)) from None
        return CancelOut(**outcome.__dict__)

    @app.post("/v1/staff/checkin", response_model=CheckInOut, tags=["staff"],
              responses={**_E, 400: _r("invalid_token: forged, altered or foreign token"),
                         409: _r("the booking cannot be checked in (cancelled, another day...)")})
    def check_in(body: CheckInIn, cred: Staff) -> CheckInOut:
        """Staff scanned a receipt's QR code."""
        try:
            result = ops.check_in(cred.tenant, body.token, f"staff:{cred.name}", server_now())
        except InvalidToken:
            raise _refuse(400, "invalid_token") from None
        except NotPayable as exc:
            raise not_payable(exc) from None
        info = result["booking"]
        return CheckInOut(booking_id=info.id, code=info.code, unit_id=info.unit_id,
                          start=info.start, end=info.end, paid=info.paid is not None,
                          paid_method=info.paid["method"] if info.paid else None,
                          already_checked_in_at=result["already_checked_in_at"])

    @app.post("/v1/staff/payments/reconcile", tags=["staff"], responses={**_E, **_OFF})
    def run_reconcile(cred: Staff) -> dict[str, Any]:
        """Run the reconciliation job now (it also runs every few seconds)."""
        enabled()
        report = job.run_once()
        return report.__dict__


def _key_file(db, config: PaymentsConfig):
    """The receipt signing key: as configured, else beside the SQLite file, else var/."""
    from pathlib import Path as FsPath

    if config.receipt_key_file is not None:
        return config.receipt_key_file
    if db.dialect == "sqlite":
        return db.path.parent / "receipt-ed25519.key"
    return FsPath("var") / "receipt-ed25519.key"


def _real(db) -> bool:
    """An in-memory database (the OpenAPI export) gets a throwaway receipt key."""
    return ":memory:" not in getattr(db, "url", "")


__all__ = ["PaymentsDisabled", "mount_payments"]

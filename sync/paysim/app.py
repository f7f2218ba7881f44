"""The simulator's HTTP service: merchant API, customer phone page, control API.

Merchant API (signed, PayPay-style envelope ``{"resultInfo": {...}, "data": {...}}``):
  POST /v2/codes                          create a dynamic QR code (idempotent by merchantPaymentId)
  GET  /v2/codes/payments/{mpid}          payment status (for polling)
  POST /v2/payments/{mpid}/cancel         cancel a waiting payment
  POST /v2/refunds                        refund all or part (idempotent by merchantRefundId)
  GET  /v2/refunds/{merchantRefundId}     refund status
Customer phone (what the QR code opens): GET / (the waiting payments), GET /pay/{codeId}, GET /pay/{codeId}/info,
  POST /pay/{codeId}/approve, POST /pay/{codeId}/decline.
Control (loopback test and workshop use): GET/POST /_sim/faults, POST /_sim/webhook-url,
  GET /_sim/payments,
  POST /_sim/payments/{mpid}/expire, GET /_sim/webhooks, GET /_sim/health.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from sync.payments.signing import verify_request

from .config import Faults, SimConfig
from .phone import PHONE_PAGE, waiting_page
from .state_file import open_state
from .store import SimError, SimPayment, SimStatus, SimStore, new_event_id
from .webhooks import WebhookSender


def _envelope(data: Any, status: int = 200, code: str = "SUCCESS", message: str = "") -> JSONResponse:
    return JSONResponse({"resultInfo": {"code": code, "message": message}, "data": data},
                        status_code=status)


def _error(exc: SimError) -> JSONResponse:
    return _envelope(None, exc.status, exc.code, exc.message)


class _FaultState:
    """The faults in force, and how many one-shot hangs/errors remain."""

    def __init__(self, faults: Faults) -> None:
        self.lock = threading.Lock()
        self.set(faults)

    def set(self, faults: Faults) -> None:
        with self.lock:
            self.faults = faults
            self.hangs_left = faults.hang_count
            self.errors_left = faults.error_count
            self.rng = random.Random(faults.seed)

    def draw(self, operation: str) -> tuple[float, bool, bool]:
        """(delay, hang, error) for one request."""
        with self.lock:
            f = self.faults
            if not f.hits(operation):
                return 0.0, False, False
            hang = self.hangs_left > 0
            if hang:
                self.hangs_left -= 1
            error = not hang and self.errors_left > 0
            if error:
                self.errors_left -= 1
            elif not hang and f.error_rate and self.rng.random() < f.error_rate:
                error = True
            return f.delay_seconds, hang, error


def create_app(config: SimConfig, state_path: Path | None = None) -> FastAPI:
    """The simulator; with ``state_path`` its books are loaded from and saved to that file."""
    state: dict[str, Any] = {"config": config}
    faults = _FaultState(config.faults)

    def current_config() -> SimConfig:
        return state["config"].with_faults(faults.faults)

    sender = WebhookSender(current_config)

    def on_change(payment: SimPayment) -> None:
        sender.enqueue({
            "notificationType": "Transaction",
            "eventId": new_event_id(),
            "merchantPaymentId": payment.merchant_payment_id,
            "codeId": payment.code_id,
            "state": str(payment.status),
            "amount": payment.amount,
            "refundedAmount": payment.refunded_amount,
            "paidAt": int(payment.paid_at) if payment.paid_at is not None else None,
            "sequence": payment.sequence,
            "occurredAt": int(time.time()),
        })

    store = SimStore(on_change)
    store.late_completion = config.faults.late_completion
    if state_path is not None:
        open_state(state_path, store)  # before the ticker: it may expire restored payments
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.1):
            now = time.time()
            store.sweep(now)
            store.complete_cancel_requested(now, faults.faults.late_completion_delay_seconds)

    ticker = threading.Thread(target=tick, name="paysim-ticker", daemon=True)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ticker.start()
        try:
            yield
        finally:
            stop.set()
            sender.stop()

    app = FastAPI(title="Madoguchi payment provider simulator", version="1", lifespan=lifespan)
    app.state.store = store
    app.state.sender = sender

    def base_url(request: Request) -> str:
        return (state["config"].public_url or str(request.base_url)).rstrip("/")

    async def merchant_call(request: Request, operation: str,
                            action: Callable[[bytes], JSONResponse]) -> Response:
        body = await request.body()
        cfg: SimConfig = state["config"]
        if not verify_request(request.headers, {cfg.api_key: cfg.api_secret}, request.method,
                              request.url.path, body, time.time()):
            return _envelope(None, 401, "UNAUTHORIZED", "bad API key or signature")
        delay, hang, error = faults.draw(operation)
        if delay:
            await asyncio.sleep(delay)
        failing = hang or error
        if failing and not faults.faults.lose_answer:
            if hang:
                await asyncio.sleep(faults.faults.hang_seconds)
            return _envelope(None, faults.faults.error_status, "INTERNAL_SERVER_ERROR", "injected")
        try:
            result = action(body)
        except SimError as exc:
            result = _error(exc)
        if hang:
            await asyncio.sleep(faults.faults.hang_seconds)
        if failing:
            return _envelope(None, faults.faults.error_status, "INTERNAL_SERVER_ERROR", "injected")
        return result

    def parse(body: bytes) -> dict[str, Any]:
        try:
            data = json.loads(body or b"{}")
        except ValueError as exc:
            raise SimError(400, "INVALID_PARAMS", "body is not JSON") from exc
        if not isinstance(data, dict):
            raise SimError(400, "INVALID_PARAMS", "body is not a JSON object")
        return data

    def yen(data: dict[str, Any]) -> int:
        amount = data.get("amount")
        if (not isinstance(amount, dict) or amount.get("currency") != "JPY"
                or not isinstance(amount.get("amount"), int)):
            raise SimError(400, "INVALID_PARAMS", "amount must be {amount: int, currency: JPY}")
        return amount["amount"]

    @app.post("/v2/codes")
    async def create_code(request: Request) -> Response:
        def action(body: bytes) -> JSONResponse:
            data = parse(body)
            expires_at = data.get("expiresAt")
            if not isinstance(expires_at, int):
                raise SimError(400, "INVALID_PARAMS", "expiresAt must be epoch seconds")
            payment, created = store.create(str(data.get("merchantPaymentId") or ""), yen(data),
                                            str(data.get("orderDescription") or ""),
                                            expires_at, time.time())
            return _envelope(payment.to_json(base_url(request)), 201 if created else 200)
        return await merchant_call(request, "create", action)

    @app.get("/v2/codes/payments/{mpid}")
    async def payment_status(mpid: str, request: Request) -> Response:
        return await merchant_call(request, "status", lambda body: _envelope(
            store.get(mpid, time.time()).to_json(base_url(request))))

    @app.post("/v2/payments/{mpid}/cancel")
    async def cancel(mpid: str, request: Request) -> Response:
        def action(body: bytes) -> JSONResponse:
            payment = store.cancel(mpid, time.time())
            code = "SUCCESS" if payment.status == "CANCELED" else "REQUEST_ACCEPTED"
            return _envelope(payment.to_json(base_url(request)), 200 if code == "SUCCESS" else 202,
                             code)
        return await merchant_call(request, "cancel", action)

    @app.post("/v2/refunds")
    async def refund(request: Request) -> Response:
        def action(body: bytes) -> JSONResponse:
            data = parse(body)
            result = store.refund(str(data.get("merchantRefundId") or ""),
                                  str(data.get("merchantPaymentId") or ""), yen(data),
                                  str(data.get("reason") or ""), time.time())
            return _envelope(result.to_json())
        return await merchant_call(request, "refund", action)

    @app.get("/v2/refunds/{refund_id}")
    async def refund_status(refund_id: str, request: Request) -> Response:
        return await merchant_call(request, "refund_status",
                                   lambda body: _envelope(store.get_refund(refund_id).to_json()))

    # -- the customer's phone ---------------------------------------------------------
    def phone_json(payment: SimPayment) -> dict[str, Any]:
        return {"merchant": state["config"].merchant_name, "amount": payment.amount,
                "description": payment.description, "status": str(payment.status),
                "expiresAt": int(payment.expires_at)}

    def phone_call(action: Callable[[], SimPayment]) -> JSONResponse:
        try:
            return JSONResponse(phone_json(action()))
        except SimError as exc:
            return JSONResponse({"error": exc.code, "message": exc.message},
                                status_code=exc.status)

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        """Workshops: every payment waiting now, each a link to its customer page, so a
        second browser tab can pay without scanning the kiosk's QR code."""
        now = time.time()
        store.sweep(now)
        waiting = [p for p in store.all() if p.status is SimStatus.CREATED]
        return HTMLResponse(waiting_page(state["config"].merchant_name,
                                         [(p.code_id, p.amount, p.description, int(p.expires_at - now))
                                          for p in waiting]))

    @app.get("/pay/{code_id}", response_class=HTMLResponse)
    def phone_page(code_id: str) -> HTMLResponse:
        return HTMLResponse(PHONE_PAGE)

    @app.get("/pay/{code_id}/info")
    def phone_info(code_id: str) -> JSONResponse:
        return phone_call(lambda: store.by_code(code_id, time.time()))

    @app.post("/pay/{code_id}/approve")
    def phone_approve(code_id: str) -> JSONResponse:
        return phone_call(lambda: store.approve(code_id, time.time()))

    @app.post("/pay/{code_id}/decline")
    def phone_decline(code_id: str) -> JSONResponse:
        return phone_call(lambda: store.decline(code_id, time.time()))

    # -- control ------------------------------------------------------------------------
    def quiet() -> bool:
        """Nothing more will happen by itself: no late completion to come (checked first:
        a completion queues its webhook before it stops counting as pending), and no
        webhook queued, held back or in flight."""
        return not store.completions_pending() and sender.idle()

    @app.get("/_sim/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "webhooks_idle": quiet()}

    @app.get("/_sim/faults")
    def get_faults() -> dict[str, Any]:
        return faults.faults.to_json()

    @app.post("/_sim/faults")
    async def set_faults(request: Request) -> JSONResponse:
        try:
            new = Faults.from_json(json.loads(await request.body() or b"{}"))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        faults.set(new)
        store.late_completion = new.late_completion
        return JSONResponse(new.to_json())

    @app.post("/_sim/webhook-url")
    async def set_webhook_url(request: Request) -> JSONResponse:
        """Where webhooks go (a demo learns its server's port after starting the simulator)."""
        from dataclasses import replace

        try:
            url = json.loads(await request.body() or b"{}").get("webhook_url")
        except (ValueError, AttributeError):
            url = None
        if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
            return JSONResponse({"error": "webhook_url must be an http(s) URL or null"}, status_code=400)
        state["config"] = replace(state["config"], webhook_url=url)
        return JSONResponse({"webhook_url": url})

    @app.get("/_sim/payments")
    def list_payments(request: Request) -> dict[str, Any]:
        store.sweep(time.time())
        return {"payments": [p.to_json(base_url(request)) for p in store.all()],
                "charges": store.charges}

    @app.post("/_sim/payments/{mpid}/expire")
    def expire(mpid: str, request: Request) -> JSONResponse:
        try:
            return JSONResponse(store.force_expire(mpid, time.time()).to_json(base_url(request)))
        except SimError as exc:
            return _error(exc)

    @app.get("/_sim/webhooks")
    def webhook_log() -> dict[str, Any]:
        return {"deliveries": list(sender.log), "idle": quiet()}

    return app

"""The payment provider adapter: an httpx client for the merchant QR payment API.

Runs on the central server (the kiosk never holds provider secrets). Every request is
signed; transient failures are retried with the same idempotency key (the merchant
payment or refund id), so a retry can never create a second charge; every failure
surfaces as a typed ``ProviderError``. Pass ``transport=`` to run against an in-process
peer (httpx.MockTransport, an ASGI app) instead of the network.

    client = ProviderClient("http://127.0.0.1:8765", key, secret)
    payment = client.create_code("pay-1", 1200, expires_at, "みどり市民センター ホール")
    show_qr(payment.url)
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import httpx

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
from .signing import WEBHOOK_SIGNATURE_HEADER, sign_request, verify_webhook_signature

CITY_TZ = ZoneInfo("Asia/Tokyo")


class ProviderStatus(StrEnum):
    CREATED = "CREATED"
    COMPLETED = "COMPLETED"  # refunded_yen > 0 means partly refunded
    FAILED = "FAILED"  # declined by the customer
    EXPIRED = "EXPIRED"
    CANCELED = "CANCELED"
    REFUNDED = "REFUNDED"


def to_epoch(moment: datetime, tz: ZoneInfo = CITY_TZ) -> int:
    """Naive datetimes are city wall-clock time."""
    return int((moment if moment.tzinfo else moment.replace(tzinfo=tz)).timestamp())


def from_epoch(seconds: float, tz: ZoneInfo = CITY_TZ) -> datetime:
    """A naive city wall-clock datetime, as the rest of Madoguchi uses."""
    return datetime.fromtimestamp(seconds, tz).replace(tzinfo=None)


@dataclass(frozen=True)
class ProviderPayment:
    merchant_payment_id: str
    code_id: str
    url: str  # what the QR code encodes
    deeplink: str
    status: ProviderStatus
    amount_yen: int
    refunded_yen: int
    expires_at: datetime
    paid_at: datetime | None
    sequence: int  # the provider's change counter for this payment


@dataclass(frozen=True)
class ProviderRefund:
    merchant_refund_id: str
    merchant_payment_id: str
    amount_yen: int
    status: str


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str
    merchant_payment_id: str
    status: ProviderStatus
    amount_yen: int
    refunded_yen: int
    paid_at: datetime | None
    sequence: int


def _payment(data: Any) -> ProviderPayment:
    try:
        return ProviderPayment(
            merchant_payment_id=str(data["merchantPaymentId"]),
            code_id=str(data["codeId"]),
            url=str(data["url"]),
            deeplink=str(data.get("deeplink") or ""),
            status=ProviderStatus(data["status"]),
            amount_yen=int(data["amount"]["amount"]),
            refunded_yen=int(data.get("refundedAmount") or 0),
            expires_at=from_epoch(data["expiresAt"]),
            paid_at=from_epoch(data["paidAt"]) if data.get("paidAt") is not None else None,
            sequence=int(data.get("sequence") or 0),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderProtocolError(f"unreadable payment in answer: {exc!r}") from exc


def _refund(data: Any) -> ProviderRefund:
    try:
        return ProviderRefund(str(data["merchantRefundId"]), str(data["merchantPaymentId"]),
                              int(data["amount"]["amount"]), str(data["status"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderProtocolError(f"unreadable refund in answer: {exc!r}") from exc


class ProviderClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        api_secret: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff_seconds: float = 0.2,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._key = api_key
        self._secret = api_secret
        self._attempts = max(1, attempts)
        self._backoff = backoff_seconds
        self._clock = clock
        self._sleep = sleep
        self._http = httpx.Client(base_url=base_url.rstrip("/"), transport=transport,
                                  timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ProviderClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the API ----------------------------------------------------------------------
    def create_code(self, merchant_payment_id: str, amount_yen: int, expires_at: datetime,
                    description: str) -> ProviderPayment:
        """A QR code for this payment. Same id and amount again: the same code."""
        body = {"merchantPaymentId": merchant_payment_id,
                "amount": {"amount": amount_yen, "currency": "JPY"},
                "orderDescription": description, "expiresAt": to_epoch(expires_at),
                "codeType": "ORDER_QR"}
        return _payment(self._call("POST", "/v2/codes", body))

    def get_payment(self, merchant_payment_id: str) -> ProviderPayment:
        return _payment(self._call("GET", f"/v2/codes/payments/{merchant_payment_id}"))

    def cancel_payment(self, merchant_payment_id: str) -> ProviderPayment:
        """Ask to cancel a waiting payment. The answer's status says whether it is
        cancelled yet; still CREATED means the provider accepted the request only."""
        return _payment(self._call("POST", f"/v2/payments/{merchant_payment_id}/cancel", {}))

    def refund(self, merchant_refund_id: str, merchant_payment_id: str, amount_yen: int,
               reason: str = "") -> ProviderRefund:
        body = {"merchantRefundId": merchant_refund_id, "merchantPaymentId": merchant_payment_id,
                "amount": {"amount": amount_yen, "currency": "JPY"}, "reason": reason}
        return _refund(self._call("POST", "/v2/refunds", body))

    def get_refund(self, merchant_refund_id: str) -> ProviderRefund:
        return _refund(self._call("GET", f"/v2/refunds/{merchant_refund_id}"))

    # -- plumbing -----------------------------------------------------------------------
    def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        content = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
        last: ProviderError | None = None
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                return self._once(method, path, content)
            except (ProviderTimeout, ProviderUnavailable, ProviderProtocolError) as exc:
                last = exc  # transient: retry with the same idempotency key
        assert last is not None
        raise last

    def _once(self, method: str, path: str, content: bytes) -> Any:
        headers = sign_request(self._key, self._secret, method, path, content, self._clock())
        if content:
            headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(method, path, content=content or None, headers=headers)
        except httpx.ConnectTimeout as exc:  # the request never left
            raise ProviderUnavailable(f"{method} {path}: cannot connect in time",
                                      outcome_unknown=False) from exc
        except httpx.TimeoutException as exc:  # it may have landed
            raise ProviderTimeout(f"{method} {path}: no answer in time ({type(exc).__name__})"
                                  ) from exc
        except httpx.ConnectError as exc:
            raise ProviderUnavailable(f"{method} {path}: cannot connect: {exc}",
                                      outcome_unknown=False) from exc
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        try:
            payload = response.json()
            info = payload.get("resultInfo") or {}
        except (ValueError, AttributeError):
            payload, info = None, {}
        code = str(info.get("code") or "")
        message = f"{method} {path}: HTTP {response.status_code} {code} {info.get('message') or ''}"
        status = response.status_code
        if status >= 500:
            raise ProviderUnavailable(message.strip(), code=code, status=status)
        if payload is None:
            raise ProviderProtocolError(message + " (no JSON body)")
        if status == 401:
            raise ProviderAuthFailed(message, code=code, status=status)
        if status == 404:
            raise PaymentNotFound(message, code=code, status=status)
        if status == 409:
            raise ProviderConflict(message, code=code, status=status)
        if status >= 400:
            raise ProviderRejected(message, code=code, status=status)
        return payload.get("data")


class WebhookVerifier:
    """Checks a webhook's signature and freshness, then reads its event."""

    def __init__(self, secret: str, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock

    def parse(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        signature = ""
        for name, value in headers.items():
            if name.lower() == WEBHOOK_SIGNATURE_HEADER.lower():
                signature = value
        if not signature or not verify_webhook_signature(self._secret, signature, body,
                                                         self._clock()):
            raise InvalidWebhook("bad or missing webhook signature")
        try:
            data = json.loads(body)
            return WebhookEvent(
                event_id=str(data["eventId"]),
                merchant_payment_id=str(data["merchantPaymentId"]),
                status=ProviderStatus(data["state"]),
                amount_yen=int(data["amount"]),
                refunded_yen=int(data.get("refundedAmount") or 0),
                paid_at=from_epoch(data["paidAt"]) if data.get("paidAt") is not None else None,
                sequence=int(data.get("sequence") or 0),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidWebhook(f"unreadable webhook body: {exc!r}") from exc

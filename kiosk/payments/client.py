"""A typed client of the central server's payment endpoints, over httpx.

``transport`` is the seam: None for real HTTP, or any ``httpx.BaseTransport`` to run the
same client against an in-process peer in unit tests.

    client = PaymentClient("http://127.0.0.1:8600", kiosk_token)
    status = client.start(["bk-1", "bk-2"])     # PaymentStatus: qr_url, amount_yen, ...
    status = client.status(status.payment_id)   # poll until completed / declined / ...

Every failure is one of two exceptions: ``PaymentUnavailable`` (no usable answer: the
network, the server or the provider is down; try again or pay at the counter) and
``PaymentRefused`` (the server said no, with a ``code``: already_paid, not_confirmed, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

WAITING = frozenset({"created", "pending", "unknown"})
PAID = frozenset({"completed", "partially_refunded", "refunded"})


class PaymentUnavailable(Exception):
    """No usable answer (network, server or provider down, payments switched off)."""

    def __init__(self, reason: str = "unavailable") -> None:
        super().__init__(reason)
        self.reason = reason


class PaymentRefused(Exception):
    def __init__(self, code: str, status: int = 409) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Receipt:
    booking_id: str
    code: str
    token: str


@dataclass(frozen=True)
class PaymentStatus:
    payment_id: str
    state: str
    amount_yen: int
    qr_url: str
    expires_at: datetime
    seconds_left: int
    accepted_apps: tuple[str, ...]
    booking_ids: tuple[str, ...]
    receipts: tuple[Receipt, ...]
    item_yen: tuple[tuple[str, int], ...] = ()  # (booking id, its fee) as the server charged it

    def yen_for(self, booking_id: str) -> int:
        return next((yen for b, yen in self.item_yen if b == booking_id), 0)

    @property
    def waiting(self) -> bool:
        return self.state in WAITING

    @property
    def paid(self) -> bool:
        return self.state in PAID and bool(self.receipts)


@dataclass(frozen=True)
class PaymentConfig:
    enabled: bool
    accepted_apps: tuple[str, ...]
    qr_ttl_s: int


@dataclass(frozen=True)
class BookingFound:
    booking_id: str
    code: str
    unit_id: str
    status: str
    total_yen: int
    start: datetime
    end: datetime
    slots: tuple[tuple[datetime, datetime, str | None], ...]
    paid: bool
    paid_method: str | None
    paid_yen: int
    pay_deadline: datetime
    cancel_deadline: datetime
    cancellable: bool
    refund_yen_if_cancelled: int
    open_payment_id: str | None
    receipt_token: str | None


@dataclass(frozen=True)
class CancelResult:
    booking_id: str
    refund_yen: int
    refund_done: bool | None
    counter_refund: bool


def _status(data: dict[str, Any]) -> PaymentStatus:
    return PaymentStatus(
        payment_id=data["payment_id"], state=data["state"], amount_yen=int(data["amount_yen"]),
        qr_url=data.get("qr_url") or "", expires_at=datetime.fromisoformat(data["expires_at"]),
        seconds_left=int(data.get("seconds_left") or 0),
        accepted_apps=tuple(data.get("accepted_apps") or ()),
        booking_ids=tuple(i["booking_id"] for i in data.get("items") or ()),
        receipts=tuple(Receipt(r["booking_id"], r["code"], r["token"]) for r in data.get("receipts") or ()),
        item_yen=tuple((i["booking_id"], int(i["amount_yen"])) for i in data.get("items") or ()),
    )


def _found(d: dict[str, Any]) -> BookingFound:
    dt = datetime.fromisoformat
    return BookingFound(
        booking_id=d["booking_id"], code=d["code"], unit_id=d["unit_id"], status=d["status"],
        total_yen=int(d["total_yen"]), start=dt(d["start"]), end=dt(d["end"]),
        slots=tuple((dt(s["start"]), dt(s["end"]), s.get("block_code")) for s in d["slots"]),
        paid=bool(d["paid"]), paid_method=d.get("paid_method"), paid_yen=int(d["paid_yen"]),
        pay_deadline=dt(d["pay_deadline"]), cancel_deadline=dt(d["cancel_deadline"]),
        cancellable=bool(d["cancellable"]), refund_yen_if_cancelled=int(d["refund_yen_if_cancelled"]),
        open_payment_id=d.get("open_payment_id"), receipt_token=d.get("receipt_token"),
    )


class PaymentClient:
    def __init__(self, base_url: str, token: str, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 8.0) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), transport=transport,
                                  timeout=httpx.Timeout(timeout),
                                  headers={"Authorization": f"Bearer {token}",
                                           "User-Agent": "madoguchi-kiosk-pay/1"})

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        try:
            r = self._http.request(method, path, json=body)
        except httpx.HTTPError as exc:
            raise PaymentUnavailable(type(exc).__name__) from exc
        try:
            data = r.json()
        except ValueError:
            raise PaymentUnavailable(f"HTTP {r.status_code}, unreadable") from None
        detail = data.get("detail") if isinstance(data, dict) else None
        code = detail.get("code", "") if isinstance(detail, dict) else ""
        if r.status_code in (404, 409, 422):
            raise PaymentRefused(code or "refused", r.status_code)
        if r.status_code >= 300:
            raise PaymentUnavailable(code or f"HTTP {r.status_code}")
        return data

    def config(self) -> PaymentConfig:
        d = self._call("GET", "/v1/payments/config")
        return PaymentConfig(bool(d["enabled"]), tuple(d["accepted_apps"]), int(d["qr_ttl_s"]))

    def start(self, booking_ids: list[str]) -> PaymentStatus:
        return _status(self._call("POST", "/v1/payments", {"booking_ids": list(booking_ids)}))

    def status(self, payment_id: str) -> PaymentStatus:
        return _status(self._call("GET", f"/v1/payments/{payment_id}"))

    def cancel(self, payment_id: str) -> PaymentStatus:
        return _status(self._call("POST", f"/v1/payments/{payment_id}/cancel"))

    def lookup(self, code: str, phone: str) -> BookingFound | None:
        try:
            return _found(self._call("POST", "/v1/bookings/lookup", {"code": code, "phone": phone}))
        except PaymentRefused as exc:
            if exc.status in (404, 422):  # no such booking, or nothing a booking could be
                return None
            raise

    def cancel_booking(self, booking_id: str, code: str, phone: str) -> CancelResult:
        d = self._call("POST", f"/v1/bookings/{booking_id}/cancel", {"code": code, "phone": phone})
        return CancelResult(d["booking_id"], int(d["refund_yen"]), d["refund_done"], bool(d["counter_refund"]))

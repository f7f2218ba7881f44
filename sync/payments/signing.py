"""The HMAC signature scheme of the payment provider API (requests and webhooks).

Requests: the merchant signs ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nSHA256(body)`` with its API
secret and sends ``X-Api-Key``, ``X-Timestamp`` (epoch seconds), ``X-Nonce`` and
``X-Signature`` (hex HMAC-SHA256). The timestamp bounds replay; the nonce makes two
identical retries distinguishable in the provider's logs.

Webhooks: the provider signs ``TIMESTAMP.BODY`` with the webhook secret and sends
``X-Paysim-Signature: t=<epoch seconds>,v1=<hex HMAC-SHA256>``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping

MAX_CLOCK_SKEW_SECONDS = 300
WEBHOOK_SIGNATURE_HEADER = "X-Paysim-Signature"


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def request_string(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        (method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest())
    ).encode()


def sign_request(
    api_key: str, api_secret: str, method: str, path: str, body: bytes, now_epoch: float
) -> dict[str, str]:
    """The authentication headers for one request."""
    timestamp = str(int(now_epoch))
    nonce = secrets.token_hex(8)
    signature = _hmac_hex(api_secret, request_string(method, path, timestamp, nonce, body))
    return {
        "X-Api-Key": api_key,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": signature,
    }


def verify_request(
    headers: Mapping[str, str],
    credentials: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    now_epoch: float,
) -> bool:
    """Whether a request carries a valid signature by a known API key.

    ``credentials`` maps API keys to secrets. ``headers`` must be case-insensitive
    (Starlette's and httpx's are).
    """
    key = headers.get("x-api-key", "")
    secret = credentials.get(key)
    timestamp = headers.get("x-timestamp", "")
    nonce = headers.get("x-nonce", "")
    signature = headers.get("x-signature", "")
    if not secret or not timestamp.isdigit() or not nonce or not signature:
        return False
    if abs(int(timestamp) - now_epoch) > MAX_CLOCK_SKEW_SECONDS:
        return False
    expected = _hmac_hex(secret, request_string(method, path, timestamp, nonce, body))
    return hmac.compare_digest(expected, signature)


def sign_webhook(secret: str, body: bytes, now_epoch: float) -> str:
    timestamp = str(int(now_epoch))
    return f"t={timestamp},v1={_hmac_hex(secret, timestamp.encode() + b'.' + body)}"


def verify_webhook_signature(secret: str, header: str, body: bytes, now_epoch: float) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    timestamp = parts.get("t", "")
    signature = parts.get("v1", "")
    if not timestamp.isdigit() or not signature:
        return False
    if abs(int(timestamp) - now_epoch) > MAX_CLOCK_SKEW_SECONDS:
        return False
    expected = _hmac_hex(secret, timestamp.encode() + b"." + body)
    return hmac.compare_digest(expected, signature)

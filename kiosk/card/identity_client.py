"""The kiosk's client of the central server's identity API (``sync/server/identity_api.py``)
and its cache of trusted CA certificates for offline verification.

Async (the kiosk flow runs on the UI's event loop); one short-lived ``httpx.AsyncClient``
per call, so the client is safe to share between browser sessions and event loops.
``transport=`` is the test seam, as for every client of an outside party.

    client = IdentityClient("http://127.0.0.1:8600", token)
    challenge = await client.challenge()                   # ServerChallenge
    who = await client.verify(challenge.id, cert_der, sig) # ServerIdentity
    await client.register(who.registration_token, name, address)

``IdentityUnavailable``: the server could not be asked (offline): the kiosk verifies
locally. ``IdentityRefused``: the server answered no (``code`` says why).
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from cryptography import x509

from kiosk.card.trust import TrustConfigError, load_pem_bundle, load_trust_anchors
from kiosk.saved_file import write_atomically

log = logging.getLogger(__name__)


class IdentityUnavailable(Exception):
    """No answer from the server (network, timeout, 5xx)."""


class IdentityRefused(Exception):
    def __init__(self, code: str, status: int) -> None:
        super().__init__(f"{status} {code}")
        self.code = code
        self.status = status


@dataclass(frozen=True)
class ServerChallenge:
    id: str
    value: bytes
    expires_at: datetime


@dataclass(frozen=True)
class ServerIdentity:
    person_key: str
    registered: bool
    name: str | None
    resident: bool | None
    registration_token: str | None = None

    def __repr__(self) -> str:  # the name is personal data: keep it out of logs
        return f"ServerIdentity(registered={self.registered}, <redacted>)"


class IdentityClient:
    def __init__(self, base_url: str, token: str, *, timeout: float = 4.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout
        self._transport = transport

    async def _call(self, method: str, path: str, json: dict | None = None) -> dict:
        try:
            async with httpx.AsyncClient(base_url=self._base, headers=self._headers, timeout=self._timeout,
                                         transport=self._transport) as http:
                r = await http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            raise IdentityUnavailable(type(exc).__name__) from exc
        if r.status_code >= 500:
            raise IdentityUnavailable(f"server error {r.status_code}")
        try:
            body = r.json()
        except ValueError as exc:
            raise IdentityUnavailable("not JSON") from exc
        if r.status_code >= 400:
            detail = body.get("detail") if isinstance(body, dict) else None
            raise IdentityRefused(detail if isinstance(detail, str) else "refused", r.status_code)
        if not isinstance(body, dict):
            raise IdentityUnavailable("unexpected answer")
        return body

    async def challenge(self) -> ServerChallenge:
        body = await self._call("POST", "/v1/identity/challenges")
        try:
            value = base64.b64decode(body["challenge"], validate=True)
            return ServerChallenge(str(body["challenge_id"]), value, datetime.fromisoformat(body["expires_at"]))
        except (KeyError, TypeError, ValueError, binascii.Error) as exc:
            raise IdentityUnavailable("malformed challenge") from exc

    async def verify(self, challenge_id: str, certificate_der: bytes, signature: bytes) -> ServerIdentity:
        body = await self._call("POST", "/v1/identity/verify", {
            "challenge_id": challenge_id,
            "certificate": base64.b64encode(certificate_der).decode(),
            "signature": base64.b64encode(signature).decode(),
        })
        return _identity(body)

    async def register(self, registration_token: str, name: str, address: str) -> ServerIdentity:
        body = await self._call("POST", "/v1/identity/register", {
            "registration_token": registration_token, "consent": True, "name": name, "address": address,
        })
        return _identity({**body, "registered": True})

    async def trust_bundle(self) -> str:
        body = await self._call("GET", "/v1/identity/trust")
        bundle = body.get("certificates")
        if not isinstance(bundle, str):
            raise IdentityUnavailable("malformed trust answer")
        return bundle


def _identity(body: dict) -> ServerIdentity:
    try:
        resident = body.get("resident")
        return ServerIdentity(
            person_key=str(body["person_key"]),
            registered=bool(body["registered"]),
            name=body.get("name") if isinstance(body.get("name"), str) else None,
            resident=resident if isinstance(resident, bool) else None,
            registration_token=body.get("registration_token") or None,
        )
    except (KeyError, TypeError) as exc:
        raise IdentityUnavailable("malformed identity answer") from exc


class TrustCache:
    """The CA certificates the kiosk verifies with when the server cannot be asked:
    the server's set, saved at each successful refresh, plus any configured file."""

    def __init__(self, cache_file: Path, configured: Path | None = None) -> None:
        self.cache_file = Path(cache_file)
        self.configured = configured

    async def refresh(self, client: IdentityClient) -> bool:
        try:
            bundle = await client.trust_bundle()
            load_pem_bundle(bundle)  # never cache something unreadable
        except (IdentityUnavailable, IdentityRefused, TrustConfigError) as exc:
            log.info("trust anchors not refreshed: %s", exc)
            return False
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.cache_file, bundle)
        return True

    def anchors(self) -> list[x509.Certificate]:
        certs: list[x509.Certificate] = []
        try:
            if self.cache_file.is_file():
                certs.extend(load_pem_bundle(self.cache_file.read_text(encoding="ascii")))
            certs.extend(load_trust_anchors(self.configured))
        except (TrustConfigError, OSError, UnicodeDecodeError) as exc:
            log.error("trusted CA certificates unreadable: %s", exc)
        return certs

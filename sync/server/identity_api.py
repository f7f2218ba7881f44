"""JPKI user authentication (利用者証明用電子証明書) for kiosks: challenge, verify, register.

    POST /v1/identity/challenges   a fresh random challenge, single use, short expiry
    POST /v1/identity/verify       the card's certificate + its signature over the challenge:
                                   signature, chain to a trusted CA, validity dates -> the
                                   person (registered or not)
    POST /v1/identity/register     with the person's consent: name + address (from the
                                   card's basic four items) -> name and resident flag kept
    GET  /v1/identity/trust        the trusted CA certificates, for the kiosk's offline cache

Configuration (environment of the server process):
    MADOGUCHI_JPKI_TRUST            a PEM/DER file or a directory of them (none: nothing
                                    verifies; the demo points it at the virtual card's CA)
    MADOGUCHI_JPKI_CHALLENGE_TTL_S  challenge lifetime, seconds (default 120)
    MADOGUCHI_JPKI_RESIDENCY_DAYS   after this many days the kiosk is asked to read the
                                    address again (default 365)

The address is used to decide residency with the tenant's ``resident_address_prefixes``
and then dropped; the server never receives the individual number, birth date or sex.
"""


import base64
import binascii
import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from kiosk.card.jpki_verify import VerificationError, verify_authentication
from kiosk.card.residency import residency_for
from kiosk.card.trust import TRUST_ENV, load_trust_anchors, pem_bundle
from kiosk.domain.model import Residency

from ..protocol import CityTimeOut
from .cities import CityRegistry
from .clock import CITY_TIME_ZONE, server_now
from .db import Database
from .identity_store import ChallengeRefused, IdentityStore
from .tenants import Credential

log = logging.getLogger(__name__)

TTL_ENV = "MADOGUCHI_JPKI_CHALLENGE_TTL_S"
RESIDENCY_DAYS_ENV = "MADOGUCHI_JPKI_RESIDENCY_DAYS"
GRANT_TTL = timedelta(minutes=10)  # consent screen + second PIN: minutes, not hours


class ChallengeOut(BaseModel):
    challenge_id: str
    challenge: str = Field(description="base64 of 32 random bytes; the card signs SHA-256 of these bytes")
    expires_at: CityTimeOut = Field(description="city time")


class VerifyIn(BaseModel):
    challenge_id: str = Field(min_length=1, max_length=64)
    certificate: str = Field(min_length=1, max_length=8192, description="base64 DER of the card's "
                             "user-authentication certificate (EF 000A)")
    signature: str = Field(min_length=1, max_length=1024, description="base64 RSA PKCS#1 v1.5 signature")


class IdentityOut(BaseModel):
    person_key: str = Field(description="pseudonym derived from the certificate; use as the booking's person key")
    registered: bool
    name: str | None = None
    resident: bool | None = None
    registration_token: str | None = Field(
        None, description="present when the person may be registered (first use) or the residency "
        "must be checked again; single use, expires in minutes")
    certificate_not_after: CityTimeOut = Field(description="city time")


class RegisterIn(BaseModel):
    registration_token: str = Field(min_length=1, max_length=100)
    consent: Literal[True] = Field(description="the person agreed, on the kiosk, to this use of their items")
    name: str = Field(min_length=1, max_length=100)
    address: str = Field(min_length=1, max_length=300, description="used to decide residency, not stored")


class RegisteredOut(BaseModel):
    person_key: str
    name: str
    resident: bool


class TrustOut(BaseModel):
    certificates: str = Field(description="PEM bundle of the trusted CA certificates")


class RefusalOut(BaseModel):
    detail: str = Field(description="a code: challenge_unknown, challenge_used, challenge_expired, bad_input, "
                        "bad_certificate, untrusted, bad_chain_signature, not_a_ca, expired, not_yet_valid, "
                        "bad_signature, registration_refused")


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, "bad_input") from None


def _city_time(aware: datetime) -> datetime:
    return aware.astimezone(CITY_TIME_ZONE).replace(tzinfo=None)


def identity_router(db: Database, cities: CityRegistry, kiosk: Callable[..., Credential],
                    now: Callable[[], datetime] = server_now) -> APIRouter:
    """The router; ``kiosk`` is the app's dependency that admits kiosk credentials."""
    store = IdentityStore(db)
    trusted = load_trust_anchors(os.environ.get(TRUST_ENV))
    bundle = pem_bundle(trusted)
    ttl = timedelta(seconds=float(os.environ.get(TTL_ENV) or 120))
    refresh_after = timedelta(days=float(os.environ.get(RESIDENCY_DAYS_ENV) or 365))
    if not trusted:
        log.warning("%s names no CA certificates: no card authentication will verify", TRUST_ENV)
    Kiosk = Annotated[Credential, Depends(kiosk)]
    refusals = {
        403: {"model": RefusalOut, "description": "the card is not verified (untrusted, bad_chain_signature, "
              "not_a_ca, expired, not_yet_valid, bad_signature, bad_certificate), registration_refused, or a "
              "revoked credential / the wrong role"},
        404: {"model": RefusalOut, "description": "challenge_unknown (another kiosk's, or never issued)"},
        409: {"model": RefusalOut, "description": "challenge_used: each challenge verifies once"},
        410: {"model": RefusalOut, "description": "challenge_expired: ask for a new one"},
        422: {"description": "bad_input (not base64), or the body does not match the schema",
              "content": {"application/json": {"schema": {"anyOf": [
                  {"$ref": "#/components/schemas/RefusalOut"},
                  {"$ref": "#/components/schemas/HTTPValidationError"}]}}}},
    }
    from .auth import AUTH_ERRORS

    router = APIRouter(prefix="/v1/identity", tags=["identity"], responses=AUTH_ERRORS)

    @router.get("/trust", response_model=TrustOut)
    def get_trust(cred: Kiosk) -> TrustOut:
        """The CA certificates this server trusts; kiosks cache them to verify offline."""
        return TrustOut(certificates=bundle)

    @router.post("/challenges", response_model=ChallengeOut, status_code=201)
    def post_challenge(cred: Kiosk) -> ChallengeOut:
        """A fresh challenge for one authentication, bound to this kiosk."""
        c = store.issue_challenge(cred.tenant, cred.id, now(), ttl)
        return ChallengeOut(challenge_id=c.id, challenge=base64.b64encode(c.value).decode(),
                            expires_at=c.expires_at)

    @router.post("/verify", response_model=IdentityOut, responses=refusals)
    def post_verify(body: VerifyIn, cred: Kiosk) -> IdentityOut:
        """Verify the card's signature over the challenge, the certificate's chain to a
        trusted CA and its dates; say who this is."""
        certificate = _b64(body.certificate, "certificate")
        signature = _b64(body.signature, "signature")
        at = now()
        try:
            challenge = store.spend_challenge(cred.tenant, cred.id, body.challenge_id, at)
        except ChallengeRefused as exc:
            status = {"unknown": 404, "used": 409, "expired": 410}[exc.code]
            raise HTTPException(status, f"challenge_{exc.code}") from None
        try:
            identity = verify_authentication(certificate, challenge, signature, trusted, at, tz=CITY_TIME_ZONE)
        except VerificationError as exc:
            log.info("card authentication refused: %s", exc.failure.value)
            raise HTTPException(403, exc.failure.value) from None
        # a booking under this person key may cite this challenge (sync/server/card_check.py)
        store.mark_verified(cred.tenant, body.challenge_id, identity.person_key)
        not_after = _city_time(identity.not_after)
        holder = store.holder(cred.tenant, identity.person_key)
        token = None
        if holder is None or at - holder.residency_checked_at > refresh_after:
            token = store.grant(cred.tenant, cred.id, identity.person_key, not_after, at, GRANT_TTL)
        if holder is not None:
            store.seen(cred.tenant, identity.person_key, at)
        return IdentityOut(
            person_key=identity.person_key,
            registered=holder is not None,
            name=holder.name if holder else None,
            resident=holder.resident if holder else None,
            registration_token=token,
            certificate_not_after=not_after,
        )

    @router.post("/register", response_model=RegisteredOut, status_code=201, responses=refusals)
    def post_register(body: RegisterIn, cred: Kiosk) -> RegisteredOut:
        """Register the person a verification named, with their consent. The address
        decides residency here, by the city's own rule, and is not kept."""
        city = cities.get(cred.tenant)
        resident = residency_for(body.address, city.resident_address_prefixes) is Residency.RESIDENT
        name = " ".join(body.name.split())
        holder = store.register(cred.tenant, cred.id, body.registration_token, name, resident, now())
        if holder is None:
            raise HTTPException(403, "registration_refused")
        return RegisteredOut(person_key=holder.person_key, name=holder.name, resident=holder.resident)

    return router

"""Residency of card holders, decided by the server from the verified identity.

A kiosk's ``residency`` is a claim. For a booking under a card holder's pseudonym
(``person_key`` "jpki:...") the server decides it itself, before any rule or fee:

| what the booking carries | the server checks | residency |
|---|---|---|
| ``identity.challenge_id`` (verified online) | this kiosk's credential had that challenge verified for this person key, at most ``TICKET_TTL`` before the booking | the registry's (``card_holders``); not registered: non-resident |
| ``identity.verified_offline`` + certificate, challenge, signature | the signature and the chain again, against the server's trusted CAs, at ``signed_at`` (not in the future, not older than ``OFFLINE_MAX_AGE``); the certificate's person key is the booking's | the registry's; not registered: the card's address by the city's rule (the address is not kept) |
| nothing, or a check that fails | — | non-resident |

Other person keys (guests, who state their residency on the kiosk and show it to staff
at check-in) keep the kiosk's claim, recorded as ``self_declared``. Every booking keeps
the kiosk's claim (``residency_claimed``) and how residency was decided
(``identity_check``) for staff and audits.

Migrations of this part use versions 60..69.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cryptography import x509

from kiosk.card.jpki_verify import PERSON_KEY_PREFIX, VerificationError, verify_authentication
from kiosk.card.residency import residency_for
from kiosk.domain.model import Residency

from ..protocol import BookingIn
from .clock import CITY_TIME_ZONE
from .db import Connection, parse_dt

log = logging.getLogger(__name__)

# An online verification stands for one kiosk session (consent, second PIN, choosing).
TICKET_TTL = timedelta(minutes=30)
# An offline-verified identity must reach the server within this (a kiosk offline longer
# has bigger problems; the booking then gets the non-resident rate and staff see why).
OFFLINE_MAX_AGE = timedelta(days=14)

CARD_CHECK_MIGRATIONS: list[tuple[int, str, str]] = [
    (
        60,
        """
        ALTER TABLE bookings ADD COLUMN residency_claimed TEXT;
        ALTER TABLE bookings ADD COLUMN identity_check TEXT;
        ALTER TABLE identity_challenges ADD COLUMN verified_person_key TEXT;
        """,
        """
        ALTER TABLE bookings ADD COLUMN residency_claimed TEXT;
        ALTER TABLE bookings ADD COLUMN identity_check TEXT;
        ALTER TABLE identity_challenges ADD COLUMN verified_person_key TEXT;
        """,
    ),
]


class IdentityCheck(StrEnum):
    SELF_DECLARED = "self_declared"  # not a card holder: the kiosk's claim, checked at the counter
    SERVER = "server"  # verified by this server (/v1/identity/verify), registry residency
    OFFLINE = "offline"  # verified offline by the kiosk, verified again here
    OFFLINE_REFUSED = "offline_refused"  # the offline proof did not verify here: non-resident
    UNVERIFIED = "unverified"  # a card holder's key without a valid proof: non-resident


@dataclass(frozen=True)
class ResidencyDecision:
    residency: Residency
    check: IdentityCheck
    detail: str = ""  # why a proof was refused (a verification failure code)


def is_card_holder(person_key: str | None) -> bool:
    return bool(person_key) and person_key.startswith(PERSON_KEY_PREFIX)  # type: ignore[union-attr]


class ResidencyCheck:
    """Decides a booking's residency on the server; ``trusted`` are the JPKI CAs."""

    def __init__(self, trusted: Sequence[x509.Certificate]) -> None:
        self._trusted = list(trusted)

    def decide(self, c: Connection, tenant: str, credential_id: str, b: BookingIn, city,
               now: datetime) -> ResidencyDecision:
        if not is_card_holder(b.person_key):
            return ResidencyDecision(Residency(b.residency), IdentityCheck.SELF_DECLARED)
        proof = b.identity
        if proof is None:
            return ResidencyDecision(Residency.NON_RESIDENT, IdentityCheck.UNVERIFIED, "no_proof")
        if proof.challenge_id and not proof.verified_offline:
            if not self._verified_online(c, tenant, credential_id, proof.challenge_id, b, now):
                return ResidencyDecision(Residency.NON_RESIDENT, IdentityCheck.UNVERIFIED, "no_verification")
            return ResidencyDecision(self._registered(c, tenant, b.person_key) or Residency.NON_RESIDENT,
                                     IdentityCheck.SERVER)
        if proof.verified_offline:
            failure = self._verify_offline(b, now)
            if failure:
                log.info("an offline card identity did not verify on the server: %s", failure)
                return ResidencyDecision(Residency.NON_RESIDENT, IdentityCheck.OFFLINE_REFUSED, failure)
            registered = self._registered(c, tenant, b.person_key)
            if registered is not None:
                return ResidencyDecision(registered, IdentityCheck.OFFLINE)
            if proof.address:
                return ResidencyDecision(residency_for(proof.address, city.resident_address_prefixes),
                                         IdentityCheck.OFFLINE)
            return ResidencyDecision(Residency.NON_RESIDENT, IdentityCheck.OFFLINE, "no_address")
        return ResidencyDecision(Residency.NON_RESIDENT, IdentityCheck.UNVERIFIED, "no_proof")

    # -- the checks -------------------------------------------------------------------
    @staticmethod
    def _verified_online(c: Connection, tenant: str, credential_id: str, challenge_id: str, b: BookingIn,
                         now: datetime) -> bool:
        row = c.one(
            "SELECT used_at FROM identity_challenges WHERE id = ? AND tenant = ? AND credential_id = ?"
            " AND verified_person_key = ?",
            (challenge_id, tenant, credential_id, b.person_key),
        )
        if row is None or row["used_at"] is None:
            return False
        verified_at = parse_dt(row["used_at"])
        made_at = min(b.created_at or now, now)
        return verified_at <= now and made_at - verified_at <= TICKET_TTL

    def _verify_offline(self, b: BookingIn, now: datetime) -> str:
        """"" when the proof verifies, else why not."""
        proof = b.identity
        assert proof is not None
        if not (proof.certificate and proof.challenge and proof.signature and proof.signed_at):
            return "incomplete"
        if proof.signed_at > now + timedelta(minutes=5) or now - proof.signed_at > OFFLINE_MAX_AGE:
            return "stale"
        try:
            cert, challenge, signature = (base64.b64decode(v, validate=True)
                                          for v in (proof.certificate, proof.challenge, proof.signature))
        except (binascii.Error, ValueError):
            return "bad_input"
        if len(challenge) < 16:
            return "bad_input"
        try:
            who = verify_authentication(cert, challenge, signature, self._trusted, proof.signed_at, tz=CITY_TIME_ZONE)
        except VerificationError as exc:
            return exc.failure.value
        if who.person_key != b.person_key:
            return "other_person"
        return ""

    @staticmethod
    def _registered(c: Connection, tenant: str, person_key: str | None) -> Residency | None:
        row = c.one("SELECT resident FROM card_holders WHERE tenant = ? AND person_key = ?", (tenant, person_key))
        if row is None:
            return None
        return Residency.RESIDENT if row["resident"] else Residency.NON_RESIDENT

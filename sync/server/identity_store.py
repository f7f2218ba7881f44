"""What the server keeps for JPKI user authentication, and nothing more.

- ``identity_challenges``: random single-use challenges, bound to the kiosk credential
  that asked, with an expiry. Marked used the moment a verification is attempted.
- ``identity_grants``: after a verified authentication, a short-lived single-use token
  that lets the same kiosk register (or refresh) that person, with their consent.
- ``card_holders``: per tenant, the pseudonymous person key derived from the
  certificate, the name to book under, whether the address was in the city (not the
  address itself), and when. Never the individual number, the certificate, the birth
  date or the sex.

Migrations of this feature use versions 20..29.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from .db import Connection, Database, parse_dt

_TABLES = """
CREATE TABLE identity_challenges (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL REFERENCES tenants(code),
    credential_id TEXT NOT NULL,
    challenge TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at {ts}
);
CREATE INDEX identity_challenges_expiry ON identity_challenges (expires_at);
CREATE TABLE identity_grants (
    token_hash TEXT PRIMARY KEY,
    tenant TEXT NOT NULL REFERENCES tenants(code),
    credential_id TEXT NOT NULL,
    person_key TEXT NOT NULL,
    certificate_not_after {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at {ts}
);
CREATE INDEX identity_grants_expiry ON identity_grants (expires_at);
CREATE TABLE card_holders (
    tenant TEXT NOT NULL REFERENCES tenants(code),
    person_key TEXT NOT NULL,
    name TEXT NOT NULL,
    resident INTEGER NOT NULL,
    residency_checked_at {ts} NOT NULL,
    consent_at {ts} NOT NULL,
    certificate_not_after {ts} NOT NULL,
    registered_at {ts} NOT NULL,
    last_seen_at {ts} NOT NULL,
    PRIMARY KEY (tenant, person_key)
);
"""

IDENTITY_MIGRATIONS: list[tuple[int, str, str]] = [
    (20, _TABLES.format(ts="TEXT"), _TABLES.format(ts="TIMESTAMP")),
]

# Spent and expired rows are kept this long (for support questions), then deleted.
KEEP_SPENT = timedelta(days=1)


class ChallengeRefused(Exception):
    """``code``: unknown | used | expired."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Challenge:
    id: str
    value: bytes
    expires_at: datetime


@dataclass(frozen=True)
class Holder:
    person_key: str
    name: str
    resident: bool
    residency_checked_at: datetime


@dataclass(frozen=True)
class Grant:
    person_key: str
    certificate_not_after: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class IdentityStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- challenges -------------------------------------------------------------------
    def issue_challenge(self, tenant: str, credential_id: str, now: datetime, ttl: timedelta) -> Challenge:
        challenge = Challenge(uuid.uuid4().hex, secrets.token_bytes(32), now + ttl)
        with self._db.write() as c:
            # Housekeeping rides on issuing: the table only ever holds recent rows.
            c.execute("DELETE FROM identity_challenges WHERE expires_at < ?", (now - KEEP_SPENT,))
            c.execute("DELETE FROM identity_grants WHERE expires_at < ?", (now - KEEP_SPENT,))
            c.execute(
                "INSERT INTO identity_challenges (id, tenant, credential_id, challenge, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (challenge.id, tenant, credential_id, challenge.value.hex(), now, challenge.expires_at),
            )
        return challenge

    def spend_challenge(self, tenant: str, credential_id: str, challenge_id: str, now: datetime) -> bytes:
        """The challenge's bytes, marking it used whatever happens next (single use).
        Raises ``ChallengeRefused``."""
        with self._db.write() as c:
            row = c.one(
                "SELECT challenge, expires_at, used_at FROM identity_challenges"
                " WHERE id = ? AND tenant = ? AND credential_id = ?",
                (challenge_id, tenant, credential_id),
            )
            if row is None:
                raise ChallengeRefused("unknown")
            if row["used_at"] is not None:
                raise ChallengeRefused("used")
            # The conditional update is what makes two racing verifications safe: only
            # one of them changes the row.
            n = c.execute(
                "UPDATE identity_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL",
                (now, challenge_id),
            ).rowcount
            if n != 1:
                raise ChallengeRefused("used")
        if parse_dt(row["expires_at"]) < now:
            raise ChallengeRefused("expired")
        return bytes.fromhex(row["challenge"])

    def mark_verified(self, tenant: str, challenge_id: str, person_key: str) -> None:
        """The card's signature over this challenge verified: it names ``person_key``."""
        with self._db.write() as c:
            c.execute("UPDATE identity_challenges SET verified_person_key = ? WHERE id = ? AND tenant = ?",
                      (person_key, challenge_id, tenant))

    # -- grants -----------------------------------------------------------------------
    def grant(self, tenant: str, credential_id: str, person_key: str, certificate_not_after: datetime,
              now: datetime, ttl: timedelta) -> str:
        token = "mdr_" + secrets.token_urlsafe(32)
        with self._db.write() as c:
            c.execute(
                "INSERT INTO identity_grants (token_hash, tenant, credential_id, person_key,"
                " certificate_not_after, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (_hash(token), tenant, credential_id, person_key, certificate_not_after, now + ttl),
            )
        return token

    def _spend_grant(self, c: Connection, tenant: str, credential_id: str, token: str, now: datetime) -> Grant | None:
        key = _hash(token)
        row = c.one(
            "SELECT person_key, certificate_not_after, expires_at, used_at FROM identity_grants"
            " WHERE token_hash = ? AND tenant = ? AND credential_id = ?",
            (key, tenant, credential_id),
        )
        if row is None or row["used_at"] is not None or parse_dt(row["expires_at"]) < now:
            return None
        n = c.execute("UPDATE identity_grants SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
                      (now, key)).rowcount
        if n != 1:
            return None
        return Grant(row["person_key"], parse_dt(row["certificate_not_after"]))

    # -- card holders -----------------------------------------------------------------
    def holder(self, tenant: str, person_key: str) -> Holder | None:
        with self._db.read() as c:
            row = c.one(
                "SELECT person_key, name, resident, residency_checked_at FROM card_holders"
                " WHERE tenant = ? AND person_key = ?",
                (tenant, person_key),
            )
        if row is None:
            return None
        return Holder(row["person_key"], row["name"], bool(row["resident"]), parse_dt(row["residency_checked_at"]))

    def seen(self, tenant: str, person_key: str, now: datetime) -> None:
        with self._db.write() as c:
            c.execute("UPDATE card_holders SET last_seen_at = ? WHERE tenant = ? AND person_key = ?",
                      (now, tenant, person_key))

    def register(self, tenant: str, credential_id: str, token: str, name: str, resident: bool,
                 now: datetime) -> Holder | None:
        """Register (or refresh) the person the grant names; None if the grant is not
        valid (unknown, used, expired, another kiosk's)."""
        with self._db.write() as c:
            grant = self._spend_grant(c, tenant, credential_id, token, now)
            if grant is None:
                return None
            exists = c.one("SELECT 1 AS x FROM card_holders WHERE tenant = ? AND person_key = ?",
                           (tenant, grant.person_key))
            if exists:
                c.execute(
                    "UPDATE card_holders SET name = ?, resident = ?, residency_checked_at = ?, consent_at = ?,"
                    " certificate_not_after = ?, last_seen_at = ? WHERE tenant = ? AND person_key = ?",
                    (name, int(resident), now, now, grant.certificate_not_after, now, tenant, grant.person_key),
                )
            else:
                c.execute(
                    "INSERT INTO card_holders (tenant, person_key, name, resident, residency_checked_at,"
                    " consent_at, certificate_not_after, registered_at, last_seen_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (tenant, grant.person_key, name, int(resident), now, now, grant.certificate_not_after,
                     now, now),
                )
        return Holder(grant.person_key, name, resident, now)

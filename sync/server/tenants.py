"""Tenants (cities) and their credentials (kiosks and staff).

A token is shown once, at enrolment; only its SHA-256 is stored. Tokens are 256 random
bits, so a fast hash is enough (nothing to brute-force, unlike a password).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .clock import server_now
from .db import Database, IntegrityConflict

TOKEN_PREFIX = {"kiosk": "mdk_", "staff": "mds_"}


class AdminError(Exception):
    """A refused admin command, with a message for the operator."""


@dataclass(frozen=True)
class Credential:
    id: str
    tenant: str
    role: str  # "kiosk" | "staff"
    name: str
    revoked: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def add_tenant(db: Database, code: str, city_dir: Path | str) -> None:
    city_dir = Path(city_dir).resolve()
    if not city_dir.is_dir():
        raise AdminError(f"city data folder not found: {city_dir}")
    with db.write() as c:
        if c.one("SELECT code FROM tenants WHERE code = ?", (code,)):
            c.execute("UPDATE tenants SET city_dir = ? WHERE code = ?", (str(city_dir), code))
        else:
            c.execute(
                "INSERT INTO tenants (code, city_dir, seq, created_at) VALUES (?, ?, 0, ?)",
                (code, str(city_dir), server_now()),
            )


def list_tenants(db: Database) -> list[dict[str, Any]]:
    with db.read() as c:
        return c.all("SELECT code, city_dir, seq FROM tenants ORDER BY code")


def enrol(db: Database, tenant: str, name: str, role: str = "kiosk") -> str:
    """Issue a credential; returns the token (the only time it exists in clear)."""
    if role not in TOKEN_PREFIX:
        raise AdminError(f"unknown role: {role}")
    token = TOKEN_PREFIX[role] + secrets.token_urlsafe(32)
    with db.write() as c:
        if not c.one("SELECT code FROM tenants WHERE code = ?", (tenant,)):
            raise AdminError(f"unknown tenant: {tenant} (add it first with add-tenant)")
        live = c.one(
            "SELECT id FROM credentials WHERE tenant = ? AND role = ? AND name = ? AND revoked_at IS NULL",
            (tenant, role, name),
        )
        if live:
            raise AdminError(f"{role} {name!r} of {tenant} already has a live credential; revoke it first")
        c.execute(
            "INSERT INTO credentials (id, tenant, role, name, token_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (uuid.uuid4().hex, tenant, role, name, hash_token(token), server_now()),
        )
    return token


def revoke(db: Database, tenant: str, name: str, role: str = "kiosk") -> int:
    """Revoke the live credential(s) of one kiosk or staff member; returns how many."""
    with db.write() as c:
        n = c.execute(
            "UPDATE credentials SET revoked_at = ? WHERE tenant = ? AND role = ? AND name = ?"
            " AND revoked_at IS NULL",
            (server_now(), tenant, role, name),
        ).rowcount
    if not n:
        raise AdminError(f"no live {role} credential named {name!r} in {tenant}")
    return n


class CredentialCache:
    """Token hash -> credential, cached briefly so a revocation bites within seconds."""

    TTL_SECONDS = 2.0

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Credential | None]] = {}

    def cached(self, token: str) -> tuple[bool, Credential | None]:
        """(True, credential or None) when the cache knows the token, else (False, None)."""
        import time

        with self._lock:
            hit = self._entries.get(hash_token(token))
        if hit and time.monotonic() - hit[0] < self.TTL_SECONDS:
            return True, hit[1]
        return False, None

    def lookup(self, token: str) -> Credential | None:
        import time

        key = hash_token(token)
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit and now - hit[0] < self.TTL_SECONDS:
                return hit[1]
        with self._db.read() as c:
            row = c.one(
                "SELECT id, tenant, role, name, revoked_at FROM credentials WHERE token_hash = ?",
                (key,),
            )
        cred = (
            Credential(row["id"], row["tenant"], row["role"], row["name"], row["revoked_at"] is not None)
            if row
            else None
        )
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (now, cred)
        return cred


__all__ = [
    "AdminError",
    "Credential",
    "CredentialCache",
    "IntegrityConflict",
    "add_tenant",
    "enrol",
    "hash_token",
    "list_tenants",
    "revoke",
    "datetime",
]

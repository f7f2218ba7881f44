"""Verify a JPKI user authentication: signature, certificate chain, validity dates.

Pure (no I/O, no clock): the central server calls it with its trusted CA set; the kiosk
calls it offline with a cached CA set to mark an identity "verified offline". Revocation
is not checked here (CRLs go only to certified verifiers; the server may add that).

    identity = verify_authentication(cert_der, challenge, signature, trusted_cas, now)
    identity.person_key   # stable pseudonym "jpki:<SHA-256 of issuer DER + serial number>"
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CITY_TZ = ZoneInfo("Asia/Tokyo")
MAX_CHAIN = 4


class VerifyFailure(StrEnum):
    BAD_CERTIFICATE = "bad_certificate"  # not parseable DER / not RSA
    UNTRUSTED = "untrusted"  # no path to a trusted CA
    BAD_CHAIN_SIGNATURE = "bad_chain_signature"  # an issuer's signature does not verify
    NOT_A_CA = "not_a_ca"  # an issuer lacks basicConstraints CA
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    BAD_SIGNATURE = "bad_signature"  # the card's signature over the challenge


class VerificationError(Exception):
    def __init__(self, failure: VerifyFailure, detail: str = ""):
        super().__init__(f"{failure}: {detail}" if detail else str(failure))
        self.failure = failure
        self.detail = detail


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    person_key: str  # "jpki:" + SHA-256 (hex, 160 bits) of issuer DER + serial; never from the My Number
    not_after: datetime  # UTC, aware
    issuer: str  # RFC 4514 string of the issuing CA


PERSON_KEY_PREFIX = "jpki:"


def person_key(certificate: x509.Certificate) -> str:
    """A stable pseudonymous key for the card holder's certificate, the same on the
    kiosk (offline) and the server. It changes when the certificate is renewed (every
    five years): the holder then registers again."""
    serial = certificate.serial_number
    serial_bytes = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
    digest = hashlib.sha256(b"jpki-auth\x00" + certificate.issuer.public_bytes() + b"\x00" + serial_bytes)
    # 160 bits are plenty against collisions and keep the key within the sync
    # protocol's 64-character identifiers.
    return PERSON_KEY_PREFIX + digest.hexdigest()[:40]


def load_certificate(data: bytes) -> x509.Certificate:
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except (ValueError, TypeError) as exc:
        raise VerificationError(VerifyFailure.BAD_CERTIFICATE, str(exc)) from exc


def _utc(now: datetime, tz: ZoneInfo) -> datetime:
    # The domain passes naive local (city) time; certificates speak UTC.
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    return now.astimezone(timezone.utc)


def _check_dates(cert: x509.Certificate, now_utc: datetime, what: str) -> None:
    if now_utc < cert.not_valid_before_utc:
        raise VerificationError(VerifyFailure.NOT_YET_VALID, what)
    if now_utc > cert.not_valid_after_utc:
        raise VerificationError(VerifyFailure.EXPIRED, what)


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def verify_chain(
    certificate: x509.Certificate,
    trusted_cas: Sequence[x509.Certificate],
    now: datetime,
    intermediates: Sequence[x509.Certificate] = (),
    tz: ZoneInfo = CITY_TZ,
) -> None:
    """Check ``certificate`` chains to one of ``trusted_cas`` and every link is valid at
    ``now``. Raises ``VerificationError``."""
    now_utc = _utc(now, tz)
    _check_dates(certificate, now_utc, "certificate")
    trusted = {c.fingerprint(hashes.SHA256()): c for c in trusted_cas}
    current = certificate
    for _ in range(MAX_CHAIN):
        candidates = [c for c in (*trusted.values(), *intermediates) if c.subject == current.issuer]
        if not candidates:
            raise VerificationError(VerifyFailure.UNTRUSTED, f"no CA named {current.issuer.rfc4514_string()}")
        last_error: VerificationError | None = None
        for issuer in candidates:
            try:
                current.verify_directly_issued_by(issuer)
            except (InvalidSignature, ValueError, TypeError) as exc:
                last_error = VerificationError(VerifyFailure.BAD_CHAIN_SIGNATURE, str(exc) or "signature")
                continue
            if not _is_ca(issuer):
                raise VerificationError(VerifyFailure.NOT_A_CA, issuer.subject.rfc4514_string())
            _check_dates(issuer, now_utc, "issuing CA")
            if issuer.fingerprint(hashes.SHA256()) in trusted:
                return
            current = issuer
            break
        else:
            assert last_error is not None
            raise last_error
    raise VerificationError(VerifyFailure.UNTRUSTED, "chain too long")


def verify_signature(certificate: x509.Certificate, challenge: bytes, signature: bytes) -> None:
    """The card's RSA PKCS#1 v1.5 SHA-256 signature over ``challenge``."""
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise VerificationError(VerifyFailure.BAD_CERTIFICATE, "not an RSA key")
    try:
        key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise VerificationError(VerifyFailure.BAD_SIGNATURE) from exc


def verify_authentication(
    certificate_der: bytes,
    challenge: bytes,
    signature: bytes,
    trusted_cas: Sequence[x509.Certificate | bytes],
    now: datetime,
    intermediates: Sequence[x509.Certificate | bytes] = (),
    tz: ZoneInfo = CITY_TZ,
) -> VerifiedIdentity:
    """All checks of one JPKI user authentication; returns the verified identity."""
    cert = load_certificate(certificate_der)
    cas = [c if isinstance(c, x509.Certificate) else load_certificate(c) for c in trusted_cas]
    mids = [c if isinstance(c, x509.Certificate) else load_certificate(c) for c in intermediates]
    verify_signature(cert, challenge, signature)
    verify_chain(cert, cas, now, mids, tz)
    return VerifiedIdentity(person_key(cert), cert.not_valid_after_utc, cert.issuer.rfc4514_string())

"""Who the virtual card belongs to, and its keys and certificates.

The user-authentication key pair and the test CA are generated with ``cryptography``
the first time and cached under the temp dir (RSA-2048 generation is slow), so every
test run and workshop uses the same card identity unless the card id changes.
Everything here is test material: no real person, no real CA.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from kiosk.card.tlv import BasicFourItems, Sex

KEY_CACHE = Path(os.environ.get("MADOGUCHI_VIRTUAL_CARD_KEYS", Path(tempfile.gettempdir()) / "madoguchi-virtual-card"))
# Certificates start a year back, so a rehearsal clock set to an earlier day
# (MADOGUCHI_CLOCK_START) still finds them valid. Bump the version to reissue cached ones.
BACKDATE = dt.timedelta(days=365)
CERT_VERSION = "v2"
FAKE_INDIVIDUAL_NUMBER = "123456789018"  # a fake number, present only so tests prove it is never read


@dataclass(frozen=True)
class VirtualIdentity:
    """Everything configurable about a virtual card (``--identity file.json``)."""

    card_id: str = "workshop-0001"  # selects the cached key pair / certificate
    name: str = "窓口 花子"
    address: str = "千葉県みどり市中央一丁目2番3号"
    birth_date: date = date(1950, 4, 1)
    sex: Sex = Sex.FEMALE
    card_info_pin: str = "1234"
    auth_pin: str = "1234"
    card_info_tries: int = 3
    auth_tries: int = 3
    signature_password: str = "ABC123"
    individual_number: str = FAKE_INDIVIDUAL_NUMBER
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def items(self) -> BasicFourItems:
        return BasicFourItems(self.name, self.address, self.birth_date, self.sex)

    @classmethod
    def from_json(cls, text: str) -> "VirtualIdentity":
        raw = json.loads(text)
        if "birth_date" in raw:
            raw["birth_date"] = date.fromisoformat(raw["birth_date"])
        if "sex" in raw:
            raw["sex"] = Sex(str(raw["sex"]))
        known = {f for f in cls.__dataclass_fields__ if f != "extra"}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown identity fields: {sorted(unknown)}")
        return cls(**raw)

    @classmethod
    def from_file(cls, path: Path | str) -> "VirtualIdentity":
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def with_(self, **changes) -> "VirtualIdentity":
        return replace(self, **changes)


@dataclass(frozen=True)
class CardKeys:
    ca_certificate: x509.Certificate
    auth_key: rsa.RSAPrivateKey
    auth_certificate: x509.Certificate


def _load_or_make_key(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.replace(tmp, path)  # atomic: parallel test runs may race here
    return key


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    os.replace(tmp, path)


def virtual_ca(cache: Path = KEY_CACHE) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """The test 'JPKI user authentication CA' (key, self-signed certificate)."""
    key = _load_or_make_key(cache / "ca-key.pem")
    cert_path = cache / f"ca-cert-{CERT_VERSION}.pem"
    if cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.public_key().public_numbers() == key.public_key().public_numbers():
            return key, cert
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Madoguchi TEST ONLY"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Test User Authentication CA"),
        ]
    )
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    _write_cert(cert_path, cert)
    return key, cert


def card_keys(card_id: str, cache: Path = KEY_CACHE) -> CardKeys:
    """The card's user-authentication key and certificate, issued by the test CA.

    Like a real JPKI user-authentication certificate, the subject carries no name or
    address, only an opaque serial-like common name."""
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test runs share the cache
        return _card_keys(card_id, cache)


def _card_keys(card_id: str, cache: Path) -> CardKeys:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in card_id)
    ca_key, ca_cert = virtual_ca(cache)
    key = _load_or_make_key(cache / f"card-{safe}-key.pem")
    cert_path = cache / f"card-{safe}-cert-{CERT_VERSION}.pem"
    if cert_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if (
            cert.public_key().public_numbers() == key.public_key().public_numbers()
            and cert.issuer == ca_cert.subject
        ):
            try:
                cert.verify_directly_issued_by(ca_cert)
                return CardKeys(ca_cert, key, cert)
            except Exception:  # issued by an older test CA: issue a new one below
                pass
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    cert = issue_auth_certificate(key, ca_key, ca_cert, safe, now - BACKDATE,
                                  now + dt.timedelta(days=5 * 365))
    _write_cert(cert_path, cert)
    return CardKeys(ca_cert, key, cert)


def issue_auth_certificate(
    key: rsa.RSAPrivateKey,
    ca_key: rsa.RSAPrivateKey,
    ca_cert: x509.Certificate,
    card_id: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    """A user-authentication certificate for ``key``, issued by the given CA (tests use
    it for expired, not-yet-valid and foreign-CA certificates too)."""
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.COMMON_NAME, "TEST" + hashlib.sha256(card_id.encode()).hexdigest()[:12].upper()),
        ]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

"""Trusted JPKI CA certificates from configuration: one PEM/DER file (several PEM blocks
allowed) or a directory of ``*.pem`` / ``*.crt`` / ``*.cer`` files.

The central server trusts what ``MADOGUCHI_JPKI_TRUST`` names; the kiosk caches the
server's set (``GET /v1/identity/trust``) to verify certificates offline.

    >>> load_trust_anchors(None)
    []
    >>> pem_bundle([]) == ""
    True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

TRUST_ENV = "MADOGUCHI_JPKI_TRUST"
SUFFIXES = (".pem", ".crt", ".cer")


class TrustConfigError(ValueError):
    """The configured trust anchors cannot be read: a deployment error, said plainly."""


def _from_bytes(data: bytes, where: str) -> list[x509.Certificate]:
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return list(x509.load_pem_x509_certificates(data))
        return [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise TrustConfigError(f"{where}: not a certificate ({exc})") from exc


def load_trust_anchors(path: str | os.PathLike | None) -> list[x509.Certificate]:
    """Every certificate at ``path`` (file or directory); ``None`` or "" gives none."""
    if not path:
        return []
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    elif root.is_file():
        files = [root]
    else:
        raise TrustConfigError(f"{root}: no such file or directory")
    certs: list[x509.Certificate] = []
    for file in files:
        certs.extend(_from_bytes(file.read_bytes(), str(file)))
    return certs


def pem_bundle(certs: Sequence[x509.Certificate]) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)


def load_pem_bundle(text: str) -> list[x509.Certificate]:
    if not text.strip():
        return []
    return _from_bytes(text.encode("ascii"), "cached trust anchors")

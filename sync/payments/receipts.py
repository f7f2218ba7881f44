"""Signed booking tokens: what the receipt's QR code holds and staff scan to check in.

A token is ``MDG1.<key id>.<claims>.<signature>`` (base64url, no padding): the claims
are compact JSON, signed with the server's Ed25519 key. Anyone with the public key can
check a token; only the server can make one, and changing one character of it breaks
the signature.

    >>> signer = ReceiptSigner.generate()
    >>> token = signer.sign({"b": "bk-1", "c": "K7Q-4MX"})
    >>> signer.verify(token)["c"]
    'K7Q-4MX'
    >>> other_claims = signer.sign({"b": "bk-1", "c": "K7R-4MX"}).rsplit(".", 1)[0]
    >>> signer.verify(other_claims + "." + token.rsplit(".", 1)[1])  # altered claims
    Traceback (most recent call last):
    ...
    sync.payments.receipts.InvalidToken: bad signature

The key file is made on first start (mode 0600) wherever the configuration says; it
never belongs in the repository.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

TOKEN_VERSION = "MDG1"
MAX_TOKEN_CHARS = 1000


class InvalidToken(Exception):
    """Not a token this server signed (forged, altered, cut, or another server's)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not text or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                       for ch in text):
        raise InvalidToken("malformed token")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:  # binascii.Error: a length no encoder makes
        raise InvalidToken("malformed token") from None


class ReceiptVerifier:
    def __init__(self, public_key: Ed25519PublicKey) -> None:
        self.public_key = public_key
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = hashlib.sha256(raw).hexdigest()[:8]

    def verify(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS:
            raise InvalidToken("malformed token")
        parts = token.strip().split(".")
        if len(parts) != 4 or parts[0] != TOKEN_VERSION:
            raise InvalidToken("malformed token")
        _, key_id, claims_b64, signature_b64 = parts
        claims_raw, signature = _unb64(claims_b64), _unb64(signature_b64)
        if key_id != self.key_id:
            raise InvalidToken("signed by another key")
        try:
            self.public_key.verify(signature, f"{TOKEN_VERSION}.{key_id}.{claims_b64}".encode())
        except InvalidSignature:
            raise InvalidToken("bad signature") from None
        try:
            claims = json.loads(claims_raw)
        except ValueError:
            raise InvalidToken("malformed token") from None
        if not isinstance(claims, dict):
            raise InvalidToken("malformed token")
        return claims


class ReceiptSigner(ReceiptVerifier):
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        super().__init__(private_key.public_key())
        self._private_key = private_key

    @classmethod
    def generate(cls) -> ReceiptSigner:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> ReceiptSigner:
        """The key in ``path`` (PEM, PKCS#8), made there first if missing.

        Several server processes may start on a fresh directory at once. Each writes its
        new key to a temporary file and publishes it with link(), which fails if the
        path exists: the first one wins, the others load its key, and nobody ever reads
        a key file another process is still writing (creating ``path`` itself and then
        writing it left that window open, and a worker died reading an empty file)."""
        if not path.exists():
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pem)
                    fh.flush()
                    os.fsync(fh.fileno())  # the key outlives a power cut, or receipts stop verifying
                try:
                    os.link(tmp, path)
                except FileExistsError:  # another server process published its key first
                    return cls.load_or_create(path)
                return cls(key)
            finally:
                os.unlink(tmp)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return cls(key)

    def sign(self, claims: Mapping[str, Any]) -> str:
        body = _b64(json.dumps(dict(claims), ensure_ascii=False, separators=(",", ":"),
                               sort_keys=True).encode())
        head = f"{TOKEN_VERSION}.{self.key_id}.{body}"
        return f"{head}.{_b64(self._private_key.sign(head.encode()))}"

"""Signed booking tokens: made by the server's key, refused when forged or altered."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sync.payments import InvalidToken, ReceiptSigner


def test_key_file_made_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "receipt.key"
    signer = ReceiptSigner.load_or_create(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = ReceiptSigner.load_or_create(path)
    assert again.key_id == signer.key_id
    token = signer.sign({"b": "bk-1", "c": "ABC-123", "p": {"m": "qr", "y": 1200}})
    assert again.verify(token)["p"] == {"m": "qr", "y": 1200}


def test_forged_altered_and_foreign_tokens_are_refused(tmp_path: Path) -> None:
    signer = ReceiptSigner.generate()
    token = signer.sign({"b": "bk-1", "c": "ABC-123"})
    version, key_id, claims, signature = token.split(".")
    other = ReceiptSigner.generate()
    forged_claims = other.sign({"b": "bk-2", "c": "ABC-123"}).split(".")[2]
    bad = [
        f"{version}.{key_id}.{forged_claims}.{signature}",  # claims swapped
        # signature changed: its first character (all six bits count; the last one's low
        # bits are padding, so "...AA" at the end was sometimes the same signature)
        f"{version}.{key_id}.{claims}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}",
        other.sign({"b": "bk-1", "c": "ABC-123"}),  # another server's key
        f"{version}.{other.key_id}.{claims}.{signature}",  # key id changed
        token[:-5], "", "MDG1", "MDG1...", "garbage.x.y.z", "MDG1.k.c.s!", "x" * 5000,
    ]
    for candidate in bad:
        with pytest.raises(InvalidToken):
            signer.verify(candidate)
    assert signer.verify(token)["b"] == "bk-1"

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


def _load_keys_in_step(paths: list[Path], barrier, results) -> None:  # type: ignore[no-untyped-def]
    ids = []
    try:
        for path in paths:
            barrier.wait(timeout=60)
            ids.append(ReceiptSigner.load_or_create(path).key_id)
    except Exception as exc:
        barrier.abort()  # the others stop waiting for this process
        ids.append(repr(exc))
    results.put(ids)


def test_server_processes_starting_together_all_get_the_one_key(tmp_path: Path) -> None:
    """Several server workers start on a fresh directory at once: each must end up with
    the same key, and none may read a key file another is still writing."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    processes, rounds = 6, 40
    paths = [tmp_path / f"round-{i}" / "receipt.key" for i in range(rounds)]
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_load_keys_in_step, args=(paths, barrier, results)) for _ in range(processes)]
    for w in workers:
        w.start()
    try:
        key_ids = [results.get(timeout=120) for _ in workers]
    finally:
        for w in workers:
            w.join(30)
    for round_ids in zip(*key_ids):
        assert len(set(round_ids)) == 1, round_ids
    assert all(len(ids) == rounds for ids in key_ids)
    assert sorted(p.name for p in paths[0].parent.iterdir()) == ["receipt.key"]  # no temporary files left

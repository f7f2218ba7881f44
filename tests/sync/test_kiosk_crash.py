"""A kiosk process SIGKILLed mid-write and mid-push, again and again, then restarted on
the same cache file: nothing it acknowledged to a person is lost, nothing is applied
twice on the server (real kiosk processes, a real server process, real SQLite files).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.cache import Cache

from .conftest import seed
from .kiosk_harness import (
    killing_servers,
    assert_applied_once,
    assert_converged,
    assert_no_overlapping_holds,
    server_mutations,
)

ROOT = Path(__file__).resolve().parents[2]
servers = pytest.fixture(killing_servers)
TENANT = "122999"
# (kill point inside the kiosk, at which passage) — None: killed from outside at a random moment
PLAN = [("in-record", 3), (None, None), ("after-push", 2), (None, None), ("before-done", 2),
        (None, None), ("after-push", 1), ("in-record", 1), (None, None)]


class Driver:
    def __init__(self, cache: Path, url: str, token: str, seed: int, *extra: str) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.sync.kiosk_driver", "--cache", str(cache), "--url", url,
             "--token", token, "--seed", str(seed), *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def acks(self) -> int:
        return sum(1 for line in self.lines if line.startswith("ACK"))

    def wait(self, timeout: float) -> int:
        rc = self.proc.wait(timeout)
        self._reader.join(5)
        return rc


def test_kiosk_killed_at_random_points_loses_nothing_and_sends_nothing_twice(tmp_path, servers):
    seed_value = int(os.environ.get("MADOGUCHI_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed_value)
    db_url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    token = seed(db_url, {TENANT: ["kiosk-a"]})[TENANT].kiosk_tokens["kiosk-a"]
    server = servers(db_url)
    cache_path = tmp_path / "kiosk.sqlite"
    acked_books: list[str] = []
    acked_cancels: dict[str, str] = {}  # mutation id -> booking id
    killed = 0
    try:
        for round_no, (point, n) in enumerate(PLAN):
            extra = ["--book", "12", "--cancel-every", "2"] + (["--kill-at", f"{point}:{n}"] if point else [])
            d = Driver(cache_path, server.url, token, seed_value + round_no, *extra)
            if point is None:  # from outside, once it is busy booking and pushing
                deadline, target = time.monotonic() + 20, 2 + rng.randrange(6)
                while d.acks() < target and d.proc.poll() is None:
                    assert time.monotonic() < deadline, "driver made no progress"
                    time.sleep(0.005)
                time.sleep(rng.uniform(0, 0.05))
                if d.proc.poll() is None:
                    d.proc.send_signal(signal.SIGKILL)
            rc = d.wait(60)
            killed += rc == -signal.SIGKILL
            for line in d.lines:
                parts = line.split()
                if parts[:2] == ["ACK", "BOOK"]:
                    acked_books.append(parts[2])
                elif parts[:2] == ["ACK", "CANCEL"]:
                    acked_cancels[parts[2]] = parts[3]
        final = Driver(cache_path, server.url, token, seed_value + 999, "--book", "0", "--drain")
        assert final.wait(90) == 0, final.proc.stderr.read()[-2000:]
        assert "DRAINED" in final.lines
    except AssertionError as exc:
        raise AssertionError(f"{exc} (MADOGUCHI_CRASH_SEED={seed_value})") from exc

    try:
        assert killed >= len(PLAN) - 2, f"only {killed} of {len(PLAN)} rounds died by SIGKILL"
        assert len(acked_books) >= 10 and acked_cancels
        mutations = server_mutations(db_url, TENANT)
        # every acknowledged action reached the server (mutation ids are unique there)
        assert set(acked_books) <= set(mutations), "an acknowledged booking was lost"
        assert set(acked_cancels) <= set(mutations), "an acknowledged cancellation was lost"
        with Cache.open(cache_path) as cache:
            outbox = {r["mutation_id"]: r for r in cache._rows("SELECT mutation_id, state, result FROM outbox")}
            local = {r["id"] for r in cache._rows("SELECT id FROM local_bookings")}
            # nothing sent that the kiosk does not hold, nothing held that was not sent
            assert set(outbox) == set(mutations)
            assert {r["state"] for r in outbox.values()} <= {"done", "rejected"}
            # a kill after the server applied a push was answered from its store on restart
            assert any(json.loads(r["result"]).get("replayed") for r in outbox.values())
            # a booking and its outbox row were written together, or not at all
            assert local == {m for m in outbox if not m.startswith("cancel-")}
            assert set(acked_books) <= local
            bookings = assert_applied_once(db_url, TENANT)
            assert set(bookings) == local
            for mutation_id, booking_id in acked_cancels.items():
                if mutations[mutation_id]["result"]["outcome"] == "applied":
                    assert bookings[booking_id]["status"] == "cancelled"
            assert_no_overlapping_holds(db_url)
            since = min(cache.get_booking(b).start for b in local)
            assert_converged(cache, db_url, TENANT, since)
    except AssertionError as exc:
        raise AssertionError(f"{exc} (MADOGUCHI_CRASH_SEED={seed_value})") from exc

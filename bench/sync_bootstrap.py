"""Kiosk bootstrap: 100k bookings from an empty cache, over loopback HTTP into SQLite.

    python -m bench.sync_bootstrap [--bookings 100000] [--runs 3] [--db sqlite|postgres]

Target (issue 4): <= 1 s from an empty cache to a cache holding every interval and the
cursor, through the real server process and the real kiosk cache file.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from kiosk.cache import Cache
from sync.client import SyncEngine
from sync.server.process import ServerProcess

from ._sync_fixtures import bulk_bookings, database_url, seed_tenant, summary

TARGET_S = 1.0


def run(bookings: int = 100_000, runs: int = 3, db: str = "sqlite") -> tuple[list[float], list[float]]:
    with database_url(db) as url:
        tokens = seed_tenant(url, kiosks=1)
        t0 = time.perf_counter()
        bulk_bookings(url, bookings)
        print(f"seeded {bookings} bookings in {time.perf_counter() - t0:.1f} s ({db})")
        times, cpu = [], []
        with ServerProcess(url) as srv, tempfile.TemporaryDirectory() as tmp:
            for i in range(runs):
                cache = Cache.open(Path(tmp) / f"kiosk-{i}.sqlite")
                engine = SyncEngine(cache, srv.url, tokens["k0"])
                try:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    n = engine.bootstrap()
                    times.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
                    held = cache._conn.execute("SELECT count(*) FROM busy").fetchone()[0]
                    assert n == bookings and held == bookings, (n, held)
                    assert cache.sync_state().cursor is not None
                finally:
                    engine.close()
                    cache.close()
    return times, cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bookings", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    a = p.parse_args(argv)
    times, cpu = run(a.bookings, a.runs, a.db)
    best = min(times)
    load = open("/proc/loadavg").read().split()[0]
    print(f"bootstrap {a.bookings} bookings ({a.db} server -> kiosk SQLite): {summary(times)}")
    print(f"  kiosk CPU {min(cpu) * 1000:.0f} ms (best run); load average {load} on {os.cpu_count()} cores")
    print(f"  target <= {TARGET_S:.1f} s: {'OK' if best <= TARGET_S else 'MISSED'} (best {best:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

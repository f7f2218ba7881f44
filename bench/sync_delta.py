"""Delta sync: a kiosk holding a full cache pulls the next 1,000 changes.

    python -m bench.sync_delta [--changes 1000] [--base 100000] [--runs 7] [--db sqlite|postgres]

Real server process, real kiosk cache file already bootstrapped with ``--base``
bookings; each run commits ``--changes`` new bookings on the server, then times one
``SyncEngine.pull()`` (request, page, apply, cursor, commit). Target (issue 4): <= 50 ms.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from kiosk.cache import Cache
from sync.client import SyncEngine
from sync.server.clock import server_now
from sync.server.process import ServerProcess

from ._sync_fixtures import bulk_bookings, database_url, seed_tenant, summary

TARGET_S = 0.050


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--changes", type=int, default=1000)
    p.add_argument("--base", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    a = p.parse_args(argv)
    times = []
    with database_url(a.db) as url, tempfile.TemporaryDirectory() as tmp:
        tokens = seed_tenant(url, kiosks=1)
        bulk_bookings(url, a.base)
        with ServerProcess(url) as srv:
            cache = Cache.open(Path(tmp) / "kiosk.sqlite")
            engine = SyncEngine(cache, srv.url, tokens["k0"])
            try:
                engine.bootstrap()
                engine.pull()  # warm: connection open, caches filled
                for run in range(a.runs):
                    # each run's bookings on days of their own, after everything else
                    bulk_bookings(url, a.changes, prefix=f"delta{run}",
                                  start_day=server_now() + timedelta(days=400 + 40 * run))
                    started = time.perf_counter()
                    n = engine.pull()
                    times.append(time.perf_counter() - started)
                    assert n == a.changes, n
                held = cache._conn.execute("SELECT count(*) FROM busy").fetchone()[0]
                assert held == a.base + a.runs * a.changes, held
            finally:
                engine.close()
                cache.close()
    best = min(times)
    print(f"delta sync of {a.changes} changes into a {a.base}-interval cache ({a.db} server): {summary(times)}")
    print(f"  target <= {TARGET_S * 1000:.0f} ms: {'OK' if sorted(times)[len(times) // 2] <= TARGET_S else 'MISSED'}"
          f" (median; best {best * 1000:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Waking waiting kiosks the moment a change is committed, by any server process.

``ChangeNotifier`` keeps a counter per tenant; long-polls and event streams wait on it.
Commits of this process bump it directly. Commits of OTHER processes (several uvicorn
workers, several hosts on one PostgreSQL) reach it through a watcher thread:

- PostgreSQL: every change-logging transaction runs ``pg_notify('madoguchi_changes',
  tenant)``; PostgreSQL delivers it at commit to every ``LISTEN``ing connection, one
  per server process.
- SQLite: ``PRAGMA data_version`` changes whenever another connection committed; the
  watcher polls it (a shared-memory read, no I/O) every 50 ms and then compares the
  tenants' sequence numbers.

Both watchers are an accelerator, not the guarantee: waiters re-read the feed every few
seconds anyway, so a lost notification only costs latency.

>>> import asyncio
>>> async def demo():
...     n = ChangeNotifier()
...     v = n.version("midori")
...     asyncio.get_running_loop().call_later(0.01, n.bump, "midori")
...     return await n.wait("midori", v, timeout=5)
>>> asyncio.run(demo())
True
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from .db import Database

log = logging.getLogger(__name__)

CHANNEL = "madoguchi_changes"
SQLITE_POLL_SECONDS = 0.05


class ChangeNotifier:
    """Per-tenant change counters; ``wait`` returns as soon as the counter moves.

    ``bump`` may be called from any thread; waiters are asyncio futures woken on their
    own loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, int] = {}
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]] = {}

    def bump(self, tenant: str) -> None:
        with self._lock:
            self._versions[tenant] = self._versions.get(tenant, 0) + 1
            waiters = self._waiters.pop(tenant, set())
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_resolve, fut)
            except RuntimeError:  # that loop has closed: nobody is waiting any more
                pass

    def version(self, tenant: str) -> int:
        with self._lock:
            return self._versions.get(tenant, 0)

    async def wait(self, tenant: str, since_version: int, timeout: float) -> bool:
        """Until the tenant's counter differs from ``since_version`` (True) or
        ``timeout`` seconds pass (False)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[None] = loop.create_future()
        entry = (loop, fut)
        with self._lock:
            if self._versions.get(tenant, 0) != since_version:
                return True
            self._waiters.setdefault(tenant, set()).add(entry)
        try:
            await asyncio.wait_for(fut, timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            with self._lock:
                waiting = self._waiters.get(tenant)
                if waiting is not None:
                    waiting.discard(entry)
                    if not waiting:
                        del self._waiters[tenant]


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class ChangeWatcher:
    """A daemon thread that turns other processes' commits into ``bump`` calls."""

    def __init__(self, db: Database, on_change: Callable[[str], None]) -> None:
        self._db = db
        self._on_change = on_change
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-watcher", daemon=True)

    def start(self) -> ChangeWatcher:
        self._thread.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            try:
                if self._db.dialect == "postgresql":
                    self._listen_postgres()
                else:
                    self._poll_sqlite()
                delay = 0.2
            except Exception as exc:  # the database is down or restarting: try again
                log.warning("change watcher: %s: %s; retrying", type(exc).__name__, exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)

    def _listen_postgres(self) -> None:
        import psycopg

        with psycopg.connect(self._db.url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            while not self._stop.is_set():
                # returns after each second without notifications, to look at _stop
                for note in conn.notifies(timeout=1.0):
                    self._on_change(note.payload)

    def _poll_sqlite(self) -> None:
        import sqlite3

        conn = sqlite3.connect(self._db.path, isolation_level=None, check_same_thread=False, timeout=30)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            seqs = dict(conn.execute("SELECT code, seq FROM tenants").fetchall())
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            while not self._stop.wait(SQLITE_POLL_SECONDS):
                now = conn.execute("PRAGMA data_version").fetchone()[0]
                if now == version:
                    continue
                version = now
                fresh = dict(conn.execute("SELECT code, seq FROM tenants").fetchall())
                for tenant, seq in fresh.items():
                    if seqs.get(tenant) != seq:
                        self._on_change(tenant)
                seqs = fresh
        finally:
            conn.close()

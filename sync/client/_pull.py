"""The kiosk's pull side: snapshot, change feed, and the live channel.

Mixed into ``SyncEngine`` (which owns the cache, the API client, the locks and the
status callbacks). Live modes, in the pull thread:

- ``"sse"``: follow ``GET /v1/events``; steps down to long-poll when the server or a
  proxy cannot stream (``LiveUnsupported``);
- ``"long-poll"``: ``GET /v1/changes?wait=``;
- ``"poll"``: a plain pull every ``poll_interval`` seconds. Either live mode steps down
  to this for a minute after three live failures in a row while plain pulls work (a
  proxy cutting long requests).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from ._api import AuthRefused, CursorAhead, LiveUnsupported, ServerUnavailable
from ._wire import feed_rows

log = logging.getLogger("sync.client.engine")


class PullMixin:
    # provided by SyncEngine
    cache: Any
    api: Any
    live: str
    poll_interval: float
    long_poll_seconds: float
    heartbeat: float
    max_backoff: float
    _live_failures: int
    _poll_until: float
    _pull_lock: Any
    _stop: Any
    _rng: Any
    _guarded: Callable[..., bool]
    _set_online: Callable[..., None]
    server_now: Callable[[], Any]

    def bootstrap(self) -> int:
        """Load every current busy interval from a snapshot; returns how many.

        The compact streamed snapshot is downloaded and parsed first, then loaded in one
        cache transaction with its cursor: a cut-off download changes nothing, and the
        cache is locked only for the insert, not for the network."""
        with self._pull_lock:
            header, chunks = self.api.snapshot_rows()
            return self.cache.load_snapshot(chunks, header["cursor"], synced_at=self.server_now())

    def pull(self, wait: float = 0.0) -> int:
        """Apply change-feed pages until caught up; returns how many changes."""
        if self.cache.sync_state().cursor is None:
            return self.bootstrap()
        total = 0
        with self._pull_lock:
            while True:
                cursor = self.cache.sync_state().cursor
                try:
                    page = self.api.changes(cursor, wait=wait if total == 0 else 0)
                except CursorAhead:
                    self.cache.set_sync_state(cursor=None)
                    break
                total += self.apply_page(page)
                if not page["more"]:
                    return total
        return self.bootstrap()

    def apply_page(self, page: Mapping[str, Any]) -> int:
        """Apply one ``ChangesPage`` (from /v1/changes or a live ``changes`` event)."""
        rows = feed_rows(page["changes"])
        self.cache.apply_feed_rows(rows, page["cursor"], synced_at=self.server_now())
        return len(rows)

    def listen(self) -> int:
        """Follow the live event stream until it ends; returns how many changes it
        applied. Raises ServerUnavailable when it breaks before any event."""
        if self.cache.sync_state().cursor is None:
            self.pull()
        total, events = 0, 0
        try:
            for event, data in self.api.events(self.cache.sync_state().cursor, heartbeat=self.heartbeat):
                events += 1
                if event == "changes":
                    with self._pull_lock:
                        total += self.apply_page(data)
                elif event == "reset":
                    self.cache.set_sync_state(cursor=None)
                    self.pull()
                    return total
                elif event == "revoked":
                    raise AuthRefused(403, "credential revoked")
                elif event == "bye":  # the server's time limit: reconnect at once
                    return total
                self._set_online(True)
                if self._stop.is_set():
                    break
        except ServerUnavailable:
            if self._stop.is_set():  # stop() closed the stream
                return total
            raise
        if not events:
            raise ServerUnavailable("event stream closed without an event")
        return total

    # -- the pull thread ----------------------------------------------------------------
    def _pull_loop(self) -> None:
        from .engine import Backoff

        backoff = Backoff(cap=self.max_backoff, rng=self._rng)
        while not self._stop.is_set():
            if self.live == "poll" or time.monotonic() < self._poll_until:
                if self._guarded(self.pull, backoff):
                    self._stop.wait(self.poll_interval)
                continue
            self._live_round(backoff)

    def _live_round(self, backoff: Any) -> None:
        """One live request (an event stream or a long-poll), and what its failure means."""
        try:
            if self.live == "sse":
                self.listen()
            else:
                self.pull(wait=self.long_poll_seconds)
        except LiveUnsupported as exc:
            log.warning("live events unavailable (%s): using long-poll", exc)
            self.live = "long-poll"
            return
        except ServerUnavailable:
            if self._stop.is_set():  # stop() broke the stream on purpose
                return
            # Is it the server, or only the live channel (a proxy cutting long requests)?
            if self._guarded(self.pull, backoff):
                self._live_failures += 1
                if self._live_failures >= 3:
                    log.warning("live channel keeps failing: periodic pulls for a minute")
                    self._poll_until = time.monotonic() + 60
                    self._live_failures = 0
                self._stop.wait(self.poll_interval)
            return
        except Exception:
            if not self._stop.is_set():
                self._guarded(_reraise(), backoff)
            return
        if self._stop.is_set():  # the stream ended because stop() closed it
            return
        self._live_failures = 0
        backoff.reset()
        if self.live != "sse":  # a stream's own events say it is online, an ended one does not
            self._set_online(True)


def _reraise() -> Callable[[], None]:
    """A step that raises the exception being handled, so ``_guarded`` treats it."""
    import sys

    exc = sys.exc_info()[1]

    def step() -> None:
        assert exc is not None
        raise exc

    return step

"""The kiosk side of sync: push the outbox exactly once, pull the change feed, keep time.

    engine = SyncEngine(cache, "https://server", token, on_outcome=show)
    engine.start()              # background: push on kick/every 2 s, long-poll the feed
    engine.kick()               # after cache.record_booking(...): push now
    engine.server_now()         # the time rules must use
    engine.stop()

Exactly once: every outbox row carries a client-generated mutation id; the server stores
its answer per id and replays it. A row leaves the outbox only when an answer for it is
stored locally (``mark_outbox_done``), so a crash anywhere means "push again", never
"lost" and never "applied twice".
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from kiosk.domain.model import BookingStatus
from kiosk.i18n import N_

from ._api import AuthRefused, BadRequest, ServerClient, ServerUnavailable, SyncError
from ._pull import PullMixin
from ._wire import Unpushable, to_wire

log = logging.getLogger(__name__)
CITY_TZ = ZoneInfo("Asia/Tokyo")

OUTCOME_MESSAGES = {
    BookingStatus.CONFIRMED: N_("Your booking {code} is confirmed."),
    BookingStatus.REJECTED: N_("Your booking {code} could not be accepted. Staff will contact you."),
    BookingStatus.CANCELLED: N_("Your booking {code} is cancelled."),
}


@dataclass(frozen=True)
class BookingOutcome:
    """What the server decided about one of this kiosk's actions, for the UI to tell."""

    booking_id: str
    kind: str  # "book" | "cancel"
    status: BookingStatus | None
    accepted: bool
    violations: tuple[Mapping[str, Any], ...] = ()  # [{"code": ViolationCode value, "params": {...}}]
    replayed: bool = False


@dataclass(frozen=True)
class SyncStatus:
    online: bool
    last_synced_at: datetime | None
    pending: int
    error: str | None = None  # for staff screens and logs, never shown to residents


@dataclass
class Backoff:
    """Exponential backoff with full jitter, so a city's kiosks do not return in step."""

    base: float = 0.5
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self) -> float:
        delay = self.rng.uniform(0, min(self.cap, self.base * 2 ** self.attempt))
        self.attempt += 1
        return delay

    def reset(self) -> None:
        self.attempt = 0


class SyncEngine(PullMixin):
    def __init__(self, cache: Any, base_url: str, token: str, *,
                 transport: httpx.BaseTransport | None = None, timeout: float = 5.0,
                 on_outcome: Callable[[BookingOutcome], None] | None = None,
                 on_status: Callable[[SyncStatus], None] | None = None,
                 long_poll_seconds: float = 20.0, push_interval: float = 2.0,
                 rng: random.Random | None = None, batch: int = 50, max_backoff: float = 30.0,
                 live: str = "sse", poll_interval: float = 1.0, heartbeat: float = 15.0) -> None:
        self.cache = cache
        self.api = ServerClient(base_url, token, transport=transport, timeout=timeout)
        self._on_outcome = [on_outcome] if on_outcome else []
        self._on_status = [on_status] if on_status else []
        self.long_poll_seconds = long_poll_seconds
        # live channel: "sse" (server-sent events), "long-poll", or "poll" (a plain pull
        # every poll_interval seconds). SSE steps down to long-poll when the server or
        # a proxy cannot stream; either steps down to polling for a while when live
        # requests keep failing while plain pulls work.
        if live not in ("sse", "long-poll", "poll"):
            raise ValueError(f"unknown live mode {live!r}")
        self.live = live
        self.poll_interval = poll_interval
        self.heartbeat = heartbeat
        self._live_failures = 0
        self._poll_until = 0.0
        self.push_interval = push_interval
        self.batch = batch
        self.max_backoff = max_backoff  # the longest wait between retries while down
        self._rng = rng or random.Random()
        self._push_lock = threading.Lock()
        self._pull_lock = threading.Lock()
        self._kick = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.online = False
        self.last_error: str | None = None
        self.auth_refused = False

    # -- events -----------------------------------------------------------------------
    def subscribe(self, on_outcome: Callable[[BookingOutcome], None] | None = None,
                  on_status: Callable[[SyncStatus], None] | None = None) -> None:
        if on_outcome:
            self._on_outcome.append(on_outcome)
        if on_status:
            self._on_status.append(on_status)

    def unsubscribe(self, on_outcome: Callable[[BookingOutcome], None] | None = None,
                    on_status: Callable[[SyncStatus], None] | None = None) -> None:
        """Forget callbacks given to ``subscribe`` (a browser session that ended)."""
        for registry, cb in ((self._on_outcome, on_outcome), (self._on_status, on_status)):
            if cb is not None and cb in registry:
                registry.remove(cb)

    def _emit(self, outcome: BookingOutcome) -> None:
        for cb in list(self._on_outcome):
            try:
                cb(outcome)
            except Exception:  # a UI callback must never stop sync
                log.exception("outcome callback failed")

    def _set_online(self, online: bool, error: str | None = None) -> None:
        changed = online != self.online or error != self.last_error
        self.online, self.last_error = online, error
        if changed and self._on_status:
            status = self.status()
            for cb in list(self._on_status):
                try:
                    cb(status)
                except Exception:
                    log.exception("status callback failed")

    def note_contact(self, ok: bool, error: str | None = None) -> None:
        """Record the result of a server call made outside the loops (e.g. a push to
        confirm a booking while the person waits)."""
        self._set_online(ok, None if ok else error)

    def status(self) -> SyncStatus:
        state = self.cache.sync_state()
        return SyncStatus(self.online, state.last_synced_at, len(self.cache.outbox_pending(1000)), self.last_error)

    # -- clock ------------------------------------------------------------------------
    def sync_clock(self) -> int:
        """Measure the server clock; store and return the offset in ms (server - kiosk)."""
        sent = time.time()
        body = self.api.time()
        received = time.time()
        offset = int(body["epoch_ms"] - (sent + received) / 2 * 1000)
        self.cache.set_sync_state(clock_offset_ms=offset)
        return offset

    def server_now(self) -> datetime:
        """City wall-clock time corrected by the last measured server offset."""
        offset = self.cache.sync_state().clock_offset_ms
        now = datetime.now(CITY_TZ).replace(tzinfo=None) + timedelta(milliseconds=offset)
        return now.replace(microsecond=0)

    # -- pull -------------------------------------------------------------------------
    # -- push -------------------------------------------------------------------------
    def push(self) -> list[BookingOutcome]:
        """Push pending outbox rows in order until empty; returns the outcomes."""
        outcomes: list[BookingOutcome] = []
        with self._push_lock:
            while True:
                entries = self.cache.outbox_pending(self.batch)
                if not entries:
                    return outcomes
                now = self.server_now()
                wire, by_id = [], {}
                for e in entries:
                    try:
                        m = to_wire(e.mutation_id, e.kind, e.payload, booking_id=e.booking_id,
                                    age_seconds=(now - e.created_at).total_seconds(), unit_lookup=self.cache.unit)
                    except Unpushable as exc:
                        outcomes.append(self._give_up(e, str(exc)))
                        continue
                    wire.append(m)
                    by_id[e.mutation_id] = e
                if not wire:
                    continue
                try:
                    results = self.api.push(wire)
                except BadRequest:
                    # one bad row must not block the queue: find it, push the rest
                    results = []
                    for m in wire:
                        try:
                            results += self.api.push([m])
                        except BadRequest as exc:
                            outcomes.append(self._give_up(by_id[m["mutation_id"]], exc.detail))
                except ServerUnavailable as exc:
                    self.cache.record_outbox_attempt(entries[0].mutation_id, str(exc)[:200])
                    raise
                for result in results:
                    outcomes.append(self._settle(result))

    def _settle(self, result: Mapping[str, Any]) -> BookingOutcome:
        accepted = result["outcome"] == "applied"
        status = BookingStatus(result["status"]) if result.get("status") else None
        violations = tuple(result.get("violations") or ())
        booking_id = result["booking_id"]
        # local effect first, then the outbox row: a crash in between only means the
        # same (replayed) answer is settled again
        if status is not None and self.cache.get_booking(booking_id) is not None:
            reason = violations[0]["code"] if violations else None
            self.cache.set_booking_status(booking_id, status, reason if not accepted else None)
        # synced_at on server time, the clock the personal-data purge reads
        self.cache.mark_outbox_done(result["mutation_id"], result, rejected=not accepted,
                                    now=self.server_now())
        outcome = BookingOutcome(booking_id, result["kind"], status, accepted, violations,
                                 bool(result.get("replayed")))
        self._emit(outcome)
        return outcome

    def _give_up(self, entry: Any, error: str) -> BookingOutcome:
        # the error may quote the payload (a name, a phone number): log and keep only
        # its shape, never its values
        error = _without_values(error)
        log.error("outbox row %s can never be pushed: %s", entry.mutation_id, error)
        violation = {"code": "invalid_request", "params": {}}
        if entry.booking_id and self.cache.get_booking(entry.booking_id) is not None:
            self.cache.set_booking_status(entry.booking_id, BookingStatus.REJECTED, "invalid_request")
        self.cache.mark_outbox_done(entry.mutation_id, {"error": error[:500]}, rejected=True,
                                    now=self.server_now())
        outcome = BookingOutcome(entry.booking_id or "", entry.kind, BookingStatus.REJECTED, False, (violation,))
        self._emit(outcome)
        return outcome

    # -- one round, and the background loops -------------------------------------------
    def sync_once(self) -> tuple[list[BookingOutcome], int]:
        """Clock, push, pull once (no waiting). Raises ServerUnavailable when down."""
        try:
            self.sync_clock()
            outcomes = self.push()
            pulled = self.pull()
        except ServerUnavailable as exc:
            self._set_online(False, str(exc))
            raise
        self._set_online(True)
        return outcomes, pulled

    def kick(self) -> None:
        """Something was queued: push it now rather than at the next interval."""
        self._kick.set()

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        self.api.reopen_live()
        for name, loop in (("sync-push", self._push_loop), ("sync-pull", self._pull_loop)):
            t = threading.Thread(target=loop, name=name, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loops, promptly: the push thread is waited for (it may be settling
        answers); the pull thread's live request (an event stream or a long-poll, blocked
        in a socket read) is broken by shutting its socket down, so it ends at once too."""
        self._stop.set()
        self._kick.set()
        self.api.close_live()
        for t in self._threads:
            t.join(timeout)
            if t.is_alive():
                log.warning("sync thread %s did not stop within %.1f s", t.name, timeout)
        self._threads.clear()

    def close(self) -> None:
        self.stop()
        self.api.close()

    def _guarded(self, step: Callable[[], Any], backoff: Backoff) -> bool:
        """Run one step; on failure wait with backoff. True when it succeeded. A loop
        never dies: an unexpected error (a full disk, a bug) is logged and retried."""
        try:
            return self._step(step, backoff)
        except Exception as exc:
            if self._stop.is_set():
                return False  # shutting down: the cache may already be closed
            log.exception("sync loop error")
            self.last_error = f"{type(exc).__name__}"
            self._stop.wait(backoff.next_delay())
            return False

    def _step(self, step: Callable[[], Any], backoff: Backoff) -> bool:
        try:
            step()
        except ServerUnavailable as exc:
            self._set_online(False, str(exc))
            self._stop.wait(backoff.next_delay())
            return False
        except AuthRefused as exc:
            self.auth_refused = True
            self._set_online(False, f"credential refused: {exc}")
            self._stop.wait(60)
            return False
        except (SyncError, ValueError, KeyError) as exc:
            log.exception("sync step failed")
            self._set_online(self.online, f"{type(exc).__name__}: {exc}")
            self._stop.wait(backoff.next_delay())
            return False
        backoff.reset()
        self._set_online(True)
        return True

    def _push_loop(self) -> None:
        backoff = Backoff(cap=self.max_backoff, rng=self._rng)
        clock_due = 0.0
        while not self._stop.is_set():
            if time.monotonic() >= clock_due and self._guarded(self.sync_clock, backoff):
                clock_due = time.monotonic() + 300
            # Nothing queued: no request, and so no news of the server either (an empty
            # push must not mark a dead server "online"); the live channel tells.
            if not self.cache.outbox_pending(1) or self._guarded(self.push, backoff):
                self._kick.wait(self.push_interval)
                self._kick.clear()


def _without_values(detail: Any) -> str:
    """A server or client error as text without the values it quotes.

    >>> _without_values([{"type": "string_too_long", "loc": ["body", "contact", "name"], "input": "山田"}])
    'string_too_long at body.contact.name'
    >>> _without_values("unsupported mutation kind 'x'")
    "unsupported mutation kind 'x'"
    """
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, Mapping):
                loc = ".".join(str(x) for x in item.get("loc", ()))
                parts.append(f"{item.get('type', 'invalid')} at {loc}")
        return "; ".join(parts) or "invalid request"
    return str(detail)

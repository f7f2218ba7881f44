"""Webhook delivery: signed POSTs on every state change, retried with backoff.

Faults shape delivery here: duplicates, newest-first reordering, and dropping.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from sync.payments.signing import WEBHOOK_SIGNATURE_HEADER, sign_webhook

from .config import SimConfig

log = logging.getLogger("paysim.webhooks")


@dataclass
class Delivery:
    event: dict[str, Any]
    queued_at: float
    due: float
    attempts: int = 0
    outcomes: list[str] = field(default_factory=list)


class WebhookSender:
    def __init__(self, config: Callable[[], SimConfig]) -> None:
        self._config = config
        self._cond = threading.Condition()
        self._queue: list[Delivery] = []
        self._held: list[Delivery] = []  # reorder fault: waiting to go out newest first
        self._in_flight = 0  # deliveries taken off the queue and being POSTed right now
        self.log: list[dict[str, Any]] = []  # what was attempted, for tests and staff
        self._stop = False
        self._client = httpx.Client()
        self._thread = threading.Thread(target=self._run, name="paysim-webhooks", daemon=True)
        self._thread.start()

    def enqueue(self, event: dict[str, Any]) -> None:
        config = self._config()
        faults = config.faults
        if not config.webhook_url:
            return
        if faults.drop_webhooks:
            self.log.append({"event": event, "outcome": "dropped by fault"})
            return
        copies = 2 if faults.duplicate_webhooks else 1
        now = time.time()
        with self._cond:
            for _ in range(copies):
                delivery = Delivery(event, now, now)
                (self._held if faults.reorder_webhooks else self._queue).append(delivery)
            self._cond.notify()

    def idle(self) -> bool:
        """Nothing queued, held back, or being delivered right now (a delivery in flight
        is off the queue until its answer comes: it must count, or "idle" is seen while
        the receiver is still applying it, and again before a failed one is retried)."""
        with self._cond:
            return not self._queue and not self._held and not self._in_flight

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()
        self._thread.join(timeout=5)
        self._client.close()

    def _release_held(self, now: float) -> None:
        hold = self._config().faults.reorder_hold_seconds
        if self._held and now - self._held[0].queued_at >= hold:
            for delivery in reversed(self._held):
                delivery.due = now
                self._queue.append(delivery)
            self._held.clear()

    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stop:
                    return
                now = time.time()
                self._release_held(now)
                due = [d for d in self._queue if d.due <= now]
                if not due:
                    self._cond.wait(timeout=0.05)
                    continue
                delivery = due[0]
                self._queue.remove(delivery)
                self._in_flight += 1
            try:
                self._attempt(delivery)
            finally:
                with self._cond:
                    self._in_flight -= 1

    def _attempt(self, delivery: Delivery) -> None:
        config = self._config()
        body = json.dumps(delivery.event, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            WEBHOOK_SIGNATURE_HEADER: sign_webhook(config.webhook_secret, body, time.time()),
        }
        delivery.attempts += 1
        try:
            response = self._client.post(config.webhook_url or "", content=body, headers=headers,
                                         timeout=config.webhook_timeout_seconds)
            outcome = f"HTTP {response.status_code}"
            ok = 200 <= response.status_code < 300
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
            ok = False
        delivery.outcomes.append(outcome)
        self.log.append({"event": delivery.event, "attempt": delivery.attempts, "outcome": outcome})
        if ok:
            return
        if delivery.attempts >= config.webhook_max_attempts:
            log.warning("webhook %s given up after %d attempts", delivery.event["eventId"],
                        delivery.attempts)
            return
        delay = config.webhook_retry_base_seconds * 2 ** (delivery.attempts - 1)
        with self._cond:
            delivery.due = time.time() + delay
            self._queue.append(delivery)
            self._cond.notify()

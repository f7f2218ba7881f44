"""The kiosk's view of the central server: online or not, how fresh, confirm a booking now.

The flow speaks to the server only through a ``ServerLink``:

    link.online()                  # may a booking be confirmed by the server right now?
    link.last_synced_at()          # city time of the last good pull ("as of 10:42")
    link.confirm(booking_id, 3.0)  # push the outbox now; the server's answer or None
    link.now()                     # the server-corrected clock the rules must use

``SyncedServerLink`` runs a ``sync.client.SyncEngine`` (background push and live pull);
``NoServer`` is the stand-alone kiosk (no central server configured): everything it books
stays provisional. Tests of the flow may pass any object with these methods.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from kiosk.cache import OutboxState
from kiosk.domain.model import BookingStatus

log = logging.getLogger(__name__)


class Confirmation(Protocol):
    booking_id: str
    status: BookingStatus | None
    accepted: bool
    violations: tuple


class ServerLink(Protocol):
    def online(self) -> bool: ...
    def last_synced_at(self) -> datetime | None: ...
    def confirm(self, booking_id: str, timeout: float = 3.0) -> Confirmation | None: ...
    def now(self) -> datetime: ...
    def subscribe(self, on_outcome: Callable[[Confirmation], None]) -> None: ...
    def unsubscribe(self, on_outcome: Callable[[Confirmation], None]) -> None: ...


class NoServer:
    """A kiosk with no central server: offline for good, its own clock."""

    def __init__(self, clock) -> None:
        self._clock = clock

    def online(self) -> bool:
        return False

    def last_synced_at(self) -> datetime | None:
        return None

    def confirm(self, booking_id: str, timeout: float = 3.0) -> None:
        return None

    def now(self) -> datetime:
        return self._clock.now()

    def subscribe(self, on_outcome) -> None:
        pass

    def unsubscribe(self, on_outcome) -> None:
        pass


class SyncedServerLink:
    """A ``SyncEngine`` seen from the flow. Start it once per kiosk process."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """One sync round now (so a kiosk that can reach the server starts online and
        on server time), then the background loops."""
        from sync.client import SyncError

        try:
            self.engine.sync_once()
        except SyncError as exc:
            log.warning("central server not reachable at start: %s", type(exc).__name__)
        self.engine.start()
        self._started = True

    def close(self) -> None:
        self.engine.close()

    def online(self) -> bool:
        return bool(self.engine.online)

    def last_synced_at(self) -> datetime | None:
        return self.engine.cache.sync_state().last_synced_at

    def now(self) -> datetime:
        return self.engine.server_now()

    def subscribe(self, on_outcome) -> None:
        self.engine.subscribe(on_outcome=on_outcome)

    def unsubscribe(self, on_outcome) -> None:
        self.engine.unsubscribe(on_outcome=on_outcome)

    def confirm(self, booking_id: str, timeout: float = 3.0):
        """Push now and return the server's answer for the outbox row ``booking_id``
        (a booking's own mutation id is the booking id; a cancellation passes its
        mutation id), or None when the server gave no answer in time: the row then
        stays queued, and sync settles it later."""
        from sync.client import BookingOutcome, SyncError

        done = threading.Event()
        failure: list[BaseException] = []

        def push() -> None:
            try:
                self.engine.push()
            except SyncError as exc:
                failure.append(exc)
            except Exception as exc:  # never let a sync bug reach the person
                log.exception("push for confirmation failed")
                failure.append(exc)
            finally:
                done.set()

        # The push runs on its own thread so a dead network costs the person at most
        # ``timeout`` seconds; if it answers later, the outcome arrives by subscription.
        threading.Thread(target=push, name="confirm-push", daemon=True).start()
        if not done.wait(timeout) or failure:
            if failure:
                self.engine.note_contact(False, type(failure[0]).__name__)
            return None
        self.engine.note_contact(True)
        entry = self.engine.cache.outbox_entry(booking_id)
        if entry is None or entry.state is OutboxState.PENDING or not entry.result:
            return None
        result = entry.result
        status = BookingStatus(result["status"]) if result.get("status") else None
        return BookingOutcome(booking_id, str(result.get("kind", "book")), status,
                              entry.state is OutboxState.DONE and result.get("outcome") == "applied",
                              tuple(result.get("violations") or ()), bool(result.get("replayed")))


class LinkClock:
    """The flow's ``Clock`` from a link: server time when known."""

    def __init__(self, link: ServerLink) -> None:
        self._link = link

    def now(self) -> datetime:
        return self._link.now()

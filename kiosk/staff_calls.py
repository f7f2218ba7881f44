"""Sending "call staff" to the central server, and keeping it queued while offline.

One ``StaffCallSender`` per kiosk process (its sessions share it). ``send`` queues a
call and wakes a background thread that POSTs it with the kiosk's own credential (the
same token as the sync link); a call the server did not answer stays queued and is
sent again, with the same client-made id, until the server has it, so however often it
is sent it is one call. ``cancel`` drops a call still queued, or tells the server;
``left`` (the person's session ended with the call open) does the same with the status
``left``, so staff on their way know nobody waits. Both stay queued and are retried,
like the call itself, while the server cannot be reached.

    sender = StaffCallSender("http://server:8600", token).start()
    sender.send(StaffCall("k7Qx...", screen="calendar", context="screen", language="vi"))
    sender.wait_delivered("k7Qx...", 1.5)   # True: staff see it now
    sender.status("k7Qx...")                # CallStatus.QUEUED / SENT / ACKNOWLEDGED / CANCELLED

A call carries the screen's name and language, never anything the person typed.
``NoStaffServer`` stands in on a kiosk without a central server: nothing is ever sent
and the person is told to ask at the counter.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from enum import StrEnum

import httpx

log = logging.getLogger(__name__)

WATCH_S = 1800.0  # how long a sent call's status is followed (staff acknowledged it?)


class CallStatus(StrEnum):
    QUEUED = "queued"  # not at the server yet (offline, or on its way)
    SENT = "sent"  # open on the server: staff see it
    ACKNOWLEDGED = "acknowledged"  # a staff member is on the way
    CANCELLED = "cancelled"  # the person cancelled it
    CLOSED = "closed"  # staff closed it
    LEFT = "left"  # the person's session ended while the call was open
    NO_SERVER = "no_server"  # this kiosk has no central server


@dataclass(frozen=True)
class StaffCall:
    call_id: str
    screen: str  # the flow state's name ("calendar")
    context: str = "screen"  # "screen" | "error" | "timeout"
    language: str | None = None


class StaffCallSender:
    def __init__(self, base_url: str, token: str, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 3.0, retry_s: float = 2.0, keep: int = 200) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), transport=transport, timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}",
                                           "User-Agent": "madoguchi-kiosk-calls/1"})
        self.retry_s = retry_s
        self._keep = keep
        self._lock = threading.Condition()
        self._calls: OrderedDict[str, StaffCall] = OrderedDict()
        self._status: OrderedDict[str, CallStatus] = OrderedDict()
        # sent calls that ended on the kiosk, to tell the server: (call id, "cancel" | "left")
        self._endings: list[tuple[str, str]] = []
        self._watch: dict[str, float] = {}  # sent call id -> follow its status until (monotonic)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the sessions' side --------------------------------------------------------------
    def send(self, call: StaffCall) -> None:
        with self._lock:
            if call.call_id in self._status:
                return  # a second tap: the same call
            self._calls[call.call_id] = call
            self._status[call.call_id] = CallStatus.QUEUED
            while len(self._status) > self._keep:
                self._status.popitem(last=False)
        self._wake.set()

    def cancel(self, call_id: str) -> None:
        self._end(call_id, CallStatus.CANCELLED, "cancel")

    def left(self, call_id: str) -> None:
        """The person's session ended with the call open. A call still queued is dropped
        (nobody is there to help); one the server has is marked ``left`` there."""
        self._end(call_id, CallStatus.LEFT, "left")

    def _end(self, call_id: str, status: CallStatus, action: str) -> None:
        with self._lock:
            if self._status.get(call_id) in (None, CallStatus.CANCELLED, CallStatus.CLOSED, CallStatus.LEFT):
                return
            self._status[call_id] = status
            self._watch.pop(call_id, None)
            if self._calls.pop(call_id, None) is None:  # it had reached the server
                self._endings.append((call_id, action))
            self._lock.notify_all()
        self._wake.set()

    def status(self, call_id: str) -> CallStatus | None:
        with self._lock:
            return self._status.get(call_id)

    def wait_delivered(self, call_id: str, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the server to have the call; True if it has."""
        with self._lock:
            self._lock.wait_for(lambda: self._status.get(call_id) is not CallStatus.QUEUED, timeout)
            return self._status.get(call_id) in (CallStatus.SENT, CallStatus.ACKNOWLEDGED)

    def refresh(self, call_id: str) -> CallStatus | None:
        """Ask the server how a sent call stands (acknowledged by staff?)."""
        if self.status(call_id) not in (CallStatus.SENT, CallStatus.ACKNOWLEDGED):
            return self.status(call_id)
        try:
            r = self._http.get(f"/v1/staff-calls/{call_id}")
            if r.status_code == 200:
                server = r.json().get("status")
                mapped = {"open": CallStatus.SENT, "acknowledged": CallStatus.ACKNOWLEDGED,
                          "closed": CallStatus.CLOSED, "cancelled": CallStatus.CANCELLED,
                          "left": CallStatus.LEFT}.get(server)
                if mapped is not None:
                    with self._lock:
                        if self._status.get(call_id) in (CallStatus.SENT, CallStatus.ACKNOWLEDGED):
                            self._status[call_id] = mapped
        except httpx.HTTPError as exc:
            log.info("staff call status not read: %s", type(exc).__name__)
        return self.status(call_id)

    # -- the background thread -----------------------------------------------------------
    def start(self) -> "StaffCallSender":
        self._thread = threading.Thread(target=self._run, name="staff-calls", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
        self._http.close()

    def pending(self) -> int:
        with self._lock:
            return len(self._calls) + len(self._endings)

    def flush(self) -> bool:
        """Try to send everything queued now; True when nothing is left."""
        with self._lock:
            calls, endings = list(self._calls.values()), list(self._endings)
        for call in calls:
            if not self._post(call):
                return False
        for ending in endings:
            if not self._post_ending(*ending):
                return False
        return self.pending() == 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.retry_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.flush()
                self._refresh_watched()
            except Exception:  # never let the thread die: calls must keep going out
                log.exception("sending staff calls failed")

    def _refresh_watched(self) -> None:
        now = time.monotonic()
        with self._lock:
            watched = [c for c, until in self._watch.items() if until > now]
            self._watch = {c: u for c, u in self._watch.items() if u > now}
        for call_id in watched:
            if self.refresh(call_id) not in (CallStatus.SENT, CallStatus.ACKNOWLEDGED):
                with self._lock:
                    self._watch.pop(call_id, None)

    def _post(self, call: StaffCall) -> bool:
        body = {"call_id": call.call_id, "screen": call.screen, "context": call.context}
        if call.language:
            body["language"] = call.language
        try:
            r = self._http.post("/v1/staff-calls", json=body)
        except httpx.HTTPError as exc:
            log.info("staff call queued, server not reachable: %s", type(exc).__name__)
            return False
        if r.status_code not in (200, 201):
            # 401/403: this kiosk's credential is refused; 409/422: never accepted as sent.
            # Keep it queued for a 5xx; otherwise the person still sees "ask at the counter".
            log.warning("staff call refused by the server: HTTP %s", r.status_code)
            if r.status_code < 500:
                with self._lock:
                    self._calls.pop(call.call_id, None)
                    self._lock.notify_all()
            return r.status_code < 500
        with self._lock:
            if self._calls.pop(call.call_id, None) is not None:
                self._status[call.call_id] = CallStatus.SENT
                self._watch[call.call_id] = time.monotonic() + WATCH_S
            else:  # cancelled (or left) while on its way: tell the server too
                ended = self._status.get(call.call_id)
                self._endings.append((call.call_id, "left" if ended is CallStatus.LEFT else "cancel"))
            self._lock.notify_all()
        return True

    def _post_ending(self, call_id: str, action: str) -> bool:
        try:
            r = self._http.post(f"/v1/staff-calls/{call_id}/{action}")
        except httpx.HTTPError:
            return False
        if r.status_code >= 500:
            return False
        with self._lock:
            if (call_id, action) in self._endings:
                self._endings.remove((call_id, action))
        return True


class NoStaffServer:
    """A kiosk without a central server: calls cannot be sent (ask at the counter)."""

    def send(self, call: StaffCall) -> None:
        pass

    def cancel(self, call_id: str) -> None:
        pass

    def left(self, call_id: str) -> None:
        pass

    def status(self, call_id: str) -> CallStatus:
        return CallStatus.NO_SERVER

    def wait_delivered(self, call_id: str, timeout: float) -> bool:
        return False

    def refresh(self, call_id: str) -> CallStatus:
        return CallStatus.NO_SERVER

    def close(self) -> None:
        pass

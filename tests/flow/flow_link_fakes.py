"""A ServerLink stand-in for unit tests of the flow (a unique module name: tests dirs
are not packages)."""

from __future__ import annotations


class FakeLink:
    """The flow's ServerLink seam, with the answers a test sets."""

    def __init__(self, clock, *, online: bool = False, synced: datetime | None = None, answer=None):
        self.clock, self.is_online, self.synced, self.answer = clock, online, synced, answer
        self.callbacks: list = []
        self.asked: list[str] = []

    def online(self) -> bool:
        return self.is_online

    def last_synced_at(self):
        return self.synced

    def confirm(self, booking_id, timeout=3.0):
        self.asked.append(booking_id)
        return self.answer

    def now(self):
        return self.clock.now()

    def subscribe(self, cb):
        self.callbacks.append(cb)

    def unsubscribe(self, cb):
        self.callbacks.remove(cb)

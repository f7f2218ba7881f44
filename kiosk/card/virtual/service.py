"""``LocalCardService``: the reader service's async API over an in-process virtual card.

For fast unit tests of the session and for practice mode on a machine with no reader:
``insert()`` / ``remove()`` play the person putting the card down and taking it away.
Card code still runs on a worker thread and through ``GuardedTransport``, like the real one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from kiosk.card.apdu import ApduTransport
from kiosk.card.errors import CardRemoved, CardTimeout, NoReader
from kiosk.card.guard import GuardedTransport
from kiosk.card.reader import ReaderState, ReaderStatus
from kiosk.card.virtual.model import VirtualMyNumberCard
from kiosk.card.virtual.transport import LocalTransport

T = TypeVar("T")
READER_NAME = "Madoguchi practice reader"


class LocalCardService:
    def __init__(self, card: VirtualMyNumberCard | None = None, inserted: bool = False, reader: bool = True):
        self.card = card or VirtualMyNumberCard()
        self.transport = LocalTransport(self.card)
        self.transport.present = inserted
        self._reader = reader
        self._queues: list[asyncio.Queue] = []
        self._status = self._compute()

    def _compute(self) -> ReaderStatus:
        if not self._reader:
            return ReaderStatus(ReaderState.NO_READER)
        if self.transport.present:
            return ReaderStatus(ReaderState.CARD_PRESENT, (READER_NAME,), READER_NAME)
        return ReaderStatus(ReaderState.EMPTY, (READER_NAME,))

    def _publish(self) -> None:
        status = self._compute()
        if status != self._status:
            self._status = status
            for q in list(self._queues):
                q.put_nowait(status)

    @property
    def status(self) -> ReaderStatus:
        return self._status

    def insert(self) -> None:
        self.card.reset()
        self.transport.present = True
        self._publish()

    def remove(self) -> None:
        self.transport.present = False
        self._publish()

    def plug_reader(self, plugged: bool) -> None:
        self._reader = plugged
        if not plugged:
            self.transport.present = False
        self._publish()

    def remove_when(self, trigger: Callable[[bytes], bool]) -> None:
        """Take the card away when a matching command arrives (mid-read removal)."""

        def fire(command: bytes) -> bool:
            if trigger(command):
                # The transport raises CardRemoved; tell listeners from the loop thread.
                loop.call_soon_threadsafe(self._publish)
                return True
            return False

        loop = asyncio.get_running_loop()
        self.transport.remove_when = fire

    async def changes(self) -> AsyncIterator[ReaderStatus]:
        q: asyncio.Queue = asyncio.Queue()
        self._queues.append(q)
        try:
            yield self._status
            while True:
                yield await q.get()
        finally:
            self._queues.remove(q)

    async def run(self, conversation: Callable[[ApduTransport], T], timeout: float | None = 30.0) -> T:
        if not self._reader:
            raise NoReader("no practice reader")
        if not self.transport.present:
            raise CardRemoved("no card")
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(conversation, GuardedTransport(self.transport)), timeout
            )
        except asyncio.TimeoutError as exc:
            raise CardTimeout("virtual card timeout") from exc
        finally:
            self.card.reset()  # like the reader's disconnect with reset

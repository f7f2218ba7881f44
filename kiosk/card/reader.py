"""The reader service: notices readers and cards, and runs card conversations, without
ever blocking the UI's event loop.

A monitor thread (its own PC/SC context) watches readers and cards and publishes
``ReaderStatus`` changes; a single card thread (another context) runs the synchronous
card code. The async API sits on top:

    async with ReaderService() as readers:
        async for status in readers.changes():      # current status first, then changes
            ...
        await readers.wait_for_card(timeout=60)
        items = await readers.run(lambda t: MyNumberCard(t).read_basic_four(pin))

It survives pcscd restarts and readers being unplugged and plugged back: the monitor
re-establishes its context and re-lists readers, reporting NO_SERVICE / NO_READER in
between.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from kiosk.card.apdu import ApduTransport
from kiosk.card.errors import CardError, CardRemoved, CardTimeout, NoReader
from kiosk.card.guard import GuardedTransport
from kiosk.card.pcsc import PcscContext, ReadersChanged, ServiceDown

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReaderState(StrEnum):
    STARTING = "starting"
    NO_SERVICE = "no_service"  # pcscd not reachable
    NO_READER = "no_reader"  # pcscd up, no (matching) reader plugged in
    EMPTY = "empty"  # a reader, no card
    CARD_PRESENT = "card_present"


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    state: ReaderState
    readers: tuple[str, ...] = ()
    card_reader: str | None = None  # the reader holding the card we would use

    @property
    def has_reader(self) -> bool:
        return self.state in (ReaderState.EMPTY, ReaderState.CARD_PRESENT)


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)


class ReaderService:
    """``reader_filter``: only readers whose name contains it (e.g. "Virtual PCD 00 01")."""

    def __init__(self, reader_filter: str | None = None, poll_ms: int = 400, retry_seconds: float = 0.5):
        self.reader_filter = reader_filter
        self._poll_ms = poll_ms
        self._retry = retry_seconds
        self._status = ReaderStatus(ReaderState.STARTING)
        self._subscribers: list[_Subscriber] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._monitor: threading.Thread | None = None
        self._card_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="card")
        self._card_ctx: PcscContext | None = None
        self._first_status = threading.Event()

    # --- lifecycle -----------------------------------------------------------------
    async def start(self) -> "ReaderService":
        if self._monitor is None:
            self._monitor = threading.Thread(target=self._watch, daemon=True, name="reader-monitor")
            self._monitor.start()
            await asyncio.get_running_loop().run_in_executor(None, self._first_status.wait, 5)
        return self

    async def stop(self) -> None:
        self._stop.set()
        if self._monitor is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._monitor.join, 5)
            self._monitor = None
        self._card_pool.shutdown(wait=False, cancel_futures=True)

    async def __aenter__(self) -> "ReaderService":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- status and events -----------------------------------------------------------
    @property
    def status(self) -> ReaderStatus:
        return self._status

    async def changes(self) -> AsyncIterator[ReaderStatus]:
        """The current status, then every change, until the consumer stops iterating."""
        sub = _Subscriber(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.append(sub)
            current = self._status
        try:
            yield current
            while True:
                yield await sub.queue.get()
        finally:
            with self._lock:
                self._subscribers.remove(sub)

    async def wait_for(self, predicate: Callable[[ReaderStatus], bool], timeout: float | None) -> ReaderStatus:
        async def first() -> ReaderStatus:
            # aclosing: returning from inside ``async for`` does not close an async
            # generator, and an unclosed one stays subscribed until garbage collected.
            async with contextlib.aclosing(self.changes()) as changes:
                async for status in changes:
                    if predicate(status):
                        return status
            raise AssertionError("unreachable")

        try:
            return await asyncio.wait_for(first(), timeout)
        except asyncio.TimeoutError as exc:
            raise CardTimeout("no matching reader state in time") from exc

    async def wait_for_card(self, timeout: float | None = None) -> ReaderStatus:
        return await self.wait_for(lambda s: s.state is ReaderState.CARD_PRESENT, timeout)

    def _publish(self, status: ReaderStatus) -> None:
        with self._lock:
            if status == self._status:
                return
            log.info("reader status: %s %s", status.state, status.card_reader or "")
            self._status = status
            subscribers = list(self._subscribers)
        for sub in subscribers:
            try:
                sub.loop.call_soon_threadsafe(sub.queue.put_nowait, status)
            except RuntimeError:  # that loop is closed
                pass

    # --- monitor thread --------------------------------------------------------------
    def _matching(self, readers: list[str]) -> list[str]:
        return [r for r in readers if self.reader_filter is None or self.reader_filter in r]

    def _watch(self) -> None:
        ctx: PcscContext | None = None
        while not self._stop.is_set():
            try:
                if ctx is None:
                    ctx = PcscContext()
                readers = self._matching(ctx.readers())
                if not readers:
                    self._publish(ReaderStatus(ReaderState.NO_READER))
                    self._first_status.set()
                    # Without readers, GetStatusChange on the PnP reader alone would do,
                    # but plain polling is as quick here and simpler to reason about.
                    self._stop.wait(self._retry)
                    continue
                try:
                    snaps = ctx.wait_for_change(readers, 0 if not self._first_status.is_set() else self._poll_ms)
                except ReadersChanged:
                    continue
                names = tuple(s.name for s in snaps)
                holding = next((s.name for s in snaps if s.present), None)
                state = ReaderState.CARD_PRESENT if holding else ReaderState.EMPTY
                self._publish(ReaderStatus(state, names, holding))
                self._first_status.set()
            except ServiceDown as exc:
                log.debug("PC/SC service down: %s", exc)
                if ctx is not None:
                    ctx.close()
                    ctx = None
                self._publish(ReaderStatus(ReaderState.NO_SERVICE))
                self._first_status.set()
                self._stop.wait(self._retry)
            except Exception:  # never let the monitor die: log and start over
                log.exception("reader monitor failed; restarting it")
                if ctx is not None:
                    ctx.close()
                    ctx = None
                self._stop.wait(self._retry)
        if ctx is not None:
            ctx.close()

    # --- card conversations ------------------------------------------------------------
    async def run(self, conversation: Callable[[ApduTransport], T], timeout: float | None = 30.0) -> T:
        """Connect to the present card, run ``conversation(transport)`` on the card
        thread with a ``GuardedTransport``, disconnect (resetting the card).

        Raises ``NoReader``, ``CardRemoved``, ``CardTimeout`` or another ``CardError``."""
        status = self._status
        if not status.has_reader:
            raise NoReader(f"reader state {status.state}")
        if status.card_reader is None:
            raise CardRemoved("no card in the reader")
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._card_pool, self._converse, status.card_reader, conversation)
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError as exc:
            raise CardTimeout("the card did not answer in time") from exc

    def _converse(self, reader: str, conversation: Callable[[ApduTransport], T]) -> T:
        for attempt in (1, 2):
            try:
                if self._card_ctx is None:
                    self._card_ctx = PcscContext()
                transport = self._card_ctx.connect(reader)
                break
            except ServiceDown as exc:
                self._card_ctx = None
                raise NoReader(str(exc)) from exc
            except NoReader:
                # The daemon may have restarted since this context was made: retry once.
                if self._card_ctx is not None:
                    self._card_ctx.close()
                self._card_ctx = None
                if attempt == 2:
                    raise
        try:
            return conversation(GuardedTransport(transport))
        except CardError:
            raise
        finally:
            transport.close()

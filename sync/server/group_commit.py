"""Group commit: book mutations arriving together are applied in one transaction.

In an opening-hour rush hundreds of kiosks push at once. Applied one transaction per
mutation, the server spends its CPU on the per-transaction work (a pooled connection,
four round trips, a thread hop per request) rather than on the rules. Here request
handlers (on the event loop) hand their mutations to one writer thread per server
process and await the answers; the writer takes everything queued while the previous
batch was being written and applies it as one batch (``booking_batch``). Nothing waits
for a batch to fill: a lone request is applied at once, a batch only forms when
requests arrive faster than transactions finish.

A request's mutations stay together and in order inside a batch, and each answer is
exactly the one applying the mutations one by one would give. Should a batch fail for
any other reason than a refused constraint (which ``booking_batch`` handles), each of its
requests is applied again alone, so one bad request cannot fail the others.

>>> import asyncio
>>> gc = GroupCommit(lambda jobs: [f"done {m}" for _, m in jobs])
>>> async def two_requests():
...     return await asyncio.gather(gc.submit("cred", ["a", "b"]), gc.submit("cred", ["c"]))
>>> asyncio.run(two_requests())
[['done a', 'done b'], ['done c']]
>>> gc.close()
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

C = TypeVar("C")  # the caller's credential
M = TypeVar("M")  # a mutation
R = TypeVar("R")  # its answer

# A batch holds at most this many mutations: it bounds how long one transaction holds
# its locks (the tenant's feed row among them) and how long the first request waits.
MAX_BATCH_MUTATIONS = 100
# A request of more mutations (a kiosk back online pushing its backlog) is applied in
# consecutive pieces of at most this many, in order: the other kiosks' bookings get in
# between, rather than waiting behind one long transaction. Each piece commits on its
# own, as each mutation did before group commit: a crash may leave a push half applied,
# which the kiosk's retry and the stored answers handle.
MAX_REQUEST_PIECE = 25


@dataclass
class _Request(Generic[C, M]):
    cred: C
    mutations: Sequence[M]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[Any]]


class GroupCommit(Generic[C, M, R]):
    """``apply_batch(jobs)`` answers a list of (credential, mutation), in order, in one
    transaction; it runs on this object's writer thread only."""

    def __init__(self, apply_batch: Callable[[list[tuple[C, M]]], list[R]], *, name: str = "group-commit") -> None:
        self._apply_batch = apply_batch
        self._name = name
        self._queue: queue.SimpleQueue[_Request[C, M] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False

    async def submit(self, cred: C, mutations: Sequence[M]) -> list[R]:
        """The answers to ``mutations`` (of one request), in order, once committed."""
        answers: list[R] = []
        for i in range(0, len(mutations), MAX_REQUEST_PIECE):
            answers += await self._submit_piece(cred, mutations[i:i + MAX_REQUEST_PIECE])
        return answers

    async def _submit_piece(self, cred: C, mutations: Sequence[M]) -> list[R]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Any]] = loop.create_future()
        with self._lock:  # never queued behind close()'s stop mark: it would wait forever
            if self._closed:
                raise RuntimeError("group commit is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._queue.put(_Request(cred, mutations, loop, future))
        return await future

    def close(self) -> None:
        """Finish the queued requests, then stop the writer thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)
        if thread is not None:
            thread.join(timeout=30)

    # -- the writer thread ------------------------------------------------------------
    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = [first], False
            size = len(first.mutations)
            while size < MAX_BATCH_MUTATIONS:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
                size += len(more.mutations)
            self._answer(batch)
            if stop:
                return

    def _answer(self, batch: list[_Request[C, M]]) -> None:
        outcomes: list[tuple[_Request[C, M], bool, Any]] = []
        try:
            results = self._apply_batch([(r.cred, m) for r in batch for m in r.mutations])
        except Exception:
            if len(batch) == 1:
                outcomes = [(batch[0], False, _current_exception())]
            else:  # apply each request alone: only the request at fault fails
                for r in batch:
                    try:
                        outcomes.append((r, True, self._apply_batch([(r.cred, m) for m in r.mutations])))
                    except Exception:
                        outcomes.append((r, False, _current_exception()))
        else:
            i = 0
            for r in batch:
                outcomes.append((r, True, results[i:i + len(r.mutations)]))
                i += len(r.mutations)
        # one wake-up per event loop per batch, not one per request
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[list[Any]], bool, Any]]] = {}
        for r, ok, value in outcomes:
            by_loop.setdefault(r.loop, []).append((r.future, ok, value))
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # the loop is closed: nobody waits for these answers any more
                log.warning("group commit: %d answers for a closed event loop", len(settled))


def _current_exception() -> BaseException:
    import sys

    exc = sys.exc_info()[1]
    assert exc is not None
    return exc


def _settle(settled: list[tuple[asyncio.Future[list[Any]], bool, Any]]) -> None:
    for future, ok, value in settled:
        if future.done():  # the request was cancelled (its client went away)
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

"""A kiosk process for the crash tests: books and cancels through the flow's service on a
real cache file while its SyncEngine pushes in the background, and says "ACK ..." on
stdout the moment an action is acknowledged to the person (its commit returned).

    python -m tests.sync.kiosk_driver --cache k.sqlite --url URL --token T --seed 3 --book 20
    python -m tests.sync.kiosk_driver ... --book 0 --drain        # push everything, then exit

``--kill-at POINT:N`` SIGKILLs the process itself at the N-th passage of a chosen point:

- ``in-record``: inside the booking's write transaction (booking row written, outbox row
  not yet, nothing committed),
- ``after-push``: the server has applied a pushed batch, its answer not yet stored,
- ``before-done``: the booking's new status stored, its outbox row not yet marked done.

The test kills it at random moments from outside too.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time

from kiosk.cache import Cache
from kiosk.flow.booking import BookingService
from sync.client import SyncEngine

from .kiosk_harness import book_direct, bookable, city


def _arm(engine: SyncEngine, cache: Cache, point: str, n: int) -> None:
    count = {"n": 0}

    def passage() -> None:
        count["n"] += 1
        if count["n"] == n:
            os.kill(os.getpid(), signal.SIGKILL)

    if point == "in-record":
        enqueue = cache._enqueue

        def _enqueue(*a, **kw):
            passage()
            return enqueue(*a, **kw)

        cache._enqueue = _enqueue
    elif point == "after-push":
        push = engine.api.push

        def _push(mutations):
            results = push(mutations)
            passage()
            return results

        engine.api.push = _push
    elif point == "before-done":
        done = cache.mark_outbox_done

        def _done(*a, **kw):
            passage()
            return done(*a, **kw)

        cache.mark_outbox_done = _done
    else:
        raise SystemExit(f"unknown kill point {point!r}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--cache", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--book", type=int, default=10)
    p.add_argument("--cancel-every", type=int, default=4)
    p.add_argument("--kill-at")
    p.add_argument("--drain", action="store_true")
    args = p.parse_args(argv)

    cache = Cache.open(args.cache)
    if not cache.has_city():
        cache.load_city(city())
    engine = SyncEngine(cache, args.url, args.token, timeout=2.0, long_poll_seconds=1.0, push_interval=0.05)
    if args.kill_at:
        point, n = args.kill_at.split(":")
        _arm(engine, cache, point, int(n))
    engine.start()
    rng = random.Random(args.seed)
    service = BookingService(cache)
    taken = {(r["unit_id"], r["start"]) for r in cache._rows("SELECT unit_id, start FROM busy")}
    free = [(u, s) for u, s in bookable(days=30) if (u.id, s.start.isoformat()) not in taken]
    rng.shuffle(free)
    done = 0
    for unit, slot in free:
        if done >= args.book:
            break
        now = engine.server_now()
        booking = book_direct(cache, unit, slot, f"p-{args.seed}-{done}", now, online=engine.online)
        if booking is None:
            continue
        print(f"ACK BOOK {booking.id}", flush=True)
        done += 1
        if args.cancel_every and done % args.cancel_every == 0:
            mine = [r["id"] for r in cache._rows(
                "SELECT id FROM local_bookings WHERE status IN ('provisional', 'confirmed') ORDER BY id")]
            victim = rng.choice(mine)
            mutation_id, violations = service.cancel(victim, engine.server_now())
            if mutation_id:
                print(f"ACK CANCEL {mutation_id} {victim}", flush=True)
        time.sleep(rng.uniform(0, 0.03))
    if args.drain:
        deadline = time.monotonic() + 30
        while cache.outbox_pending(1):
            if time.monotonic() > deadline:
                print("NOT DRAINED", flush=True)
                return 1
            time.sleep(0.05)
        engine.stop()
        engine.sync_once()  # and pull what is left, so the cache can be compared
        print("DRAINED", flush=True)
    engine.close()
    cache.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

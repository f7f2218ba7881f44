"""Call staff: from the tap to the server having the call (what the person waits for),
and to a staff console seeing it: one on the event stream (``/v1/staff/calls/events``),
one on the long-poll it falls back to. Real server process on SQLite, the kiosk's real
sender thread, the consoles' real ``kiosk.staff_watch.CallWatch``.

    python -m bench staff_calls [--samples 30]

Targets: the tap's answer median <= 150 ms, p95 <= 300 ms (the kiosk waits at most 1.5 s before telling
the person to ask at the counter); the console sees the call median <= 250 ms,
p95 <= 500 ms.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from pathlib import Path

from kiosk.opendata import sample_city_dir
from kiosk.staff_calls import StaffCall, StaffCallSender
from kiosk.staff_watch import CallWatch
from sync.server.db import Database
from sync.server.migrations import migrate
from sync.server.process import ServerProcess
from sync.server.tenants import add_tenant, enrol

from ._stats import Figure

TARGET_TAP_MS = (150.0, 300.0)  # median, p95
TARGET_CONSOLE_MS = (250.0, 500.0)


class Console:
    """A staff console (``kiosk.staff_watch.CallWatch``: the event stream, or the
    long-poll with ``stream=False``) noting when each call id first shows."""

    def __init__(self, url: str, token: str, *, stream: bool) -> None:
        self.seen: dict[str, int] = {}
        self.cond = threading.Condition()
        self.watch = CallWatch(url, token, on_calls=self.note, stream=stream, poll_wait_s=5)

    def note(self, calls: list[dict]) -> None:
        now = time.perf_counter_ns()
        with self.cond:
            for call in calls:
                self.seen.setdefault(call["call_id"], now)
            self.cond.notify_all()

    def wait_for(self, call_id: str, timeout: float) -> int | None:
        with self.cond:
            self.cond.wait_for(lambda: call_id in self.seen, timeout)
            return self.seen.get(call_id)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench staff_calls")
    ap.add_argument("--samples", type=int, default=30)
    args, _ = ap.parse_known_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'server.sqlite'}"
        db = Database(url)
        migrate(db)
        add_tenant(db, "midori", sample_city_dir())
        kiosk_token, staff_token = enrol(db, "midori", "k1", "kiosk"), enrol(db, "midori", "s1", "staff")
        db.close()
        with ServerProcess(url) as srv:
            sender = StaffCallSender(srv.url, kiosk_token).start()
            pushed = Console(srv.url, staff_token, stream=True)
            polled = Console(srv.url, staff_token, stream=False)
            pushed.watch.start()
            polled.watch.start()
            tap, seen, seen_poll = [], [], []
            try:
                time.sleep(0.5)
                for _ in range(args.samples):
                    call = StaffCall(uuid.uuid4().hex, "calendar", "screen", "vi")
                    started = time.perf_counter_ns()
                    sender.send(call)
                    assert sender.wait_delivered(call.call_id, 5), "the server never had the call"
                    tap.append(time.perf_counter_ns() - started)
                    for console, into in ((pushed, seen), (polled, seen_poll)):
                        at = console.wait_for(call.call_id, 10)
                        assert at is not None, "a console never saw the call"
                        into.append(at - started)
                    sender.cancel(call.call_id)  # the list changes back: the console wakes again
                    time.sleep(0.1)
                assert pushed.watch.mode == "stream" and polled.watch.mode == "poll"
            finally:
                pushed.watch.close()
                polled.watch.close()
                sender.close()
    figures = [Figure.from_samples("tap -> server has the call", tap, target_median_ms=TARGET_TAP_MS[0],
                                   target_p95_ms=TARGET_TAP_MS[1]),
               Figure.from_samples("tap -> staff console shows it (events)", seen,
                                   target_median_ms=TARGET_CONSOLE_MS[0], target_p95_ms=TARGET_CONSOLE_MS[1]),
               Figure.from_samples("tap -> staff console shows it (long-poll fallback)", seen_poll,
                                   target_median_ms=TARGET_CONSOLE_MS[0], target_p95_ms=TARGET_CONSOLE_MS[1])]
    for figure in figures:
        print(figure.line())
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())

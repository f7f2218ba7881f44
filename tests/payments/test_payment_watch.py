"""The page-side payment watch, around a real flow and cache: it keeps the inactivity
timer quiet while a person pays, reads the payment on a worker thread, moves to the
receipt, and re-renders when the countdown's words change. The server is an in-process
stand-in here (the real one is in test_kiosk_flow.py and the browser tests)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.cache import Cache
from kiosk.flow import FixedClock, KioskFlow, State
from kiosk.flow.inactivity import InactivityTimer
from kiosk.opendata import load_city, sample_city_dir
from kiosk.payments.client import PaymentStatus, Receipt
from kiosk.ui.payment_watch import PaymentWatch


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    from kiosk.tools import compile_catalogs

    compile_catalogs.main([])


def status(state: str, receipts: tuple = (), left: int = 300) -> PaymentStatus:
    return PaymentStatus("pay-1", state, 3000, "http://sim/pay/c1", datetime(2026, 11, 25, 10, 5), left,
                         ("PaySim",), ("bk-1",), receipts, (("bk-1", 3000),))


class Server:
    def __init__(self) -> None:
        self.answer = status("pending")
        self.reads = 0

    def status(self, payment_id: str) -> PaymentStatus:
        self.reads += 1
        return self.answer


class Page:
    def __init__(self, flow: KioskFlow, clock: list[float]) -> None:
        self.flow = flow
        self.closed = False
        self.renders = 0
        self.timer = InactivityTimer(60, 20, monotonic=lambda: clock[0])

    def render(self) -> None:
        self.renders += 1


def test_watch_keeps_awake_polls_and_moves_to_the_receipt(tmp_path: Path) -> None:
    cache = Cache.open(tmp_path / "k.sqlite")
    cache.load_city(load_city(sample_city_dir()))
    mono = [1000.0]
    server = Server()
    flow = KioskFlow(cache, FixedClock(datetime(2026, 11, 25, 10, 0)), payments=server)
    flow.pay.monotonic = lambda: mono[0]
    flow.session.state = State.PAYING
    flow.pay.s.payment, flow.pay.s.seen_at, flow.pay.s.polled_at = status("pending"), mono[0], mono[0]
    page = Page(flow, mono)
    watch = PaymentWatch(page)

    assert asyncio.run(watch.step())  # first look: the countdown is drawn
    assert server.reads == 0  # read less than a second ago: no new read yet
    mono[0] += 90  # a minute and a half later, the person still busy with their phone
    server.answer = status("pending", left=210)
    assert asyncio.run(watch.step()) and server.reads == 1
    assert page.timer.status().phase.name == "ACTIVE"  # kept awake, no timeout warning
    assert flow.screen().countdown == "お支払いの残り時間：3分30秒"  # said in words
    server.answer = status("completed", (Receipt("bk-1", "K7Q-4MX", "MDG1.k.c.s"),))
    mono[0] += 1
    assert asyncio.run(watch.step())
    assert flow.state is State.RECEIPT and flow.pay.s.paid_yen == 3000
    renders = page.renders
    mono[0] += 1
    assert not asyncio.run(watch.step())  # the receipt: nothing to poll, nothing to redraw
    assert page.renders == renders and server.reads == 2
    mono[0] += 200  # on the receipt the timer runs again
    assert page.timer.status().phase.name != "ACTIVE"
    cache.close()

"""kiosk.ui.live: sync outcomes reach the screen on the page's event loop, never on the
sync thread; link status changes re-render every screen but the one with typed text."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest

from kiosk.domain.model import BookingStatus
from kiosk.flow import KioskFlow, State
from kiosk.ui.live import LiveRefresh

from flow_link_fakes import FakeLink


class LoopPage:
    """What LiveRefresh uses of a Flet page: ``run_task`` onto the page's own loop
    (Flet's is ``asyncio.run_coroutine_threadsafe`` too)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run_task(self, handler, *args):
        return asyncio.run_coroutine_threadsafe(handler(*args), self.loop)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(2)


class FakeKioskPage:
    def __init__(self, flow) -> None:
        self.flow = flow
        self.page = LoopPage()
        self.closed = False
        self.renders: list[tuple[str, object]] = []  # (thread name, screen tone/state)
        self.rendered = threading.Event()

    def render(self) -> None:
        screen = self.flow.screen()
        self.renders.append((threading.current_thread().name, getattr(screen, "tone", screen.chrome.state)))
        self.rendered.set()


@pytest.fixture
def setup(cache, clock, go):
    link = FakeLink(clock, online=False)
    flow = KioskFlow(cache, clock, link=link)
    go.confirm(flow, lang="en")
    flow.select_book()
    kiosk = FakeKioskPage(flow)
    live = LiveRefresh(kiosk)
    yield SimpleNamespace(link=link, flow=flow, kiosk=kiosk, live=live, cache=cache)
    live.close()
    kiosk.page.close()


def test_an_outcome_from_the_sync_thread_renders_on_the_loop_thread(setup):
    s = setup
    booking = s.flow.session.booking
    assert s.link.callbacks == [s.live._on_outcome]
    s.cache.set_booking_status(booking.id, BookingStatus.REJECTED, "slot_taken")

    def sync_thread():
        for cb in list(s.link.callbacks):
            cb(SimpleNamespace(booking_id=booking.id))

    t = threading.Thread(target=sync_thread, name="sync-push")
    t.start()
    t.join()
    assert s.kiosk.rendered.wait(2)
    [(thread, tone)] = s.kiosk.renders
    assert thread == s.kiosk.page.thread.name and thread != "sync-push"
    assert tone == "rejected"


def test_an_outcome_for_another_booking_or_after_close_renders_nothing(setup):
    s = setup
    s.live._on_outcome(SimpleNamespace(booking_id="someone-else"))
    s.kiosk.page.run_task(asyncio.sleep, 0).result(2)  # let the loop run what was scheduled
    assert s.kiosk.renders == []
    s.live.close()
    assert s.link.callbacks == []
    s.live._on_outcome(SimpleNamespace(booking_id=s.flow.session.booking.id))
    s.kiosk.page.run_task(asyncio.sleep, 0).result(2)
    assert s.kiosk.renders == []


def test_link_status_change_rerenders_except_where_the_person_types(setup):
    s = setup
    assert s.live.check() is False  # nothing changed
    s.link.is_online = True
    assert s.live.check() is True and s.kiosk.renders[-1][1] == "provisional"
    s.flow.start_over()  # the person moved on: their own action rendered
    assert s.live.check() is False
    s.link.is_online = False
    assert s.live.check() is True and s.kiosk.renders[-1][1] is State.LANGUAGE


def test_new_availability_rerenders_the_calendar(setup):
    s = setup
    s.flow.start_over()
    s.flow.select_language("en")
    s.flow.select_task()
    s.flow.select_category("hall")
    s.flow.select_unit("chuo-hall")
    assert s.live.check() is False
    s.cache.apply_changes([], "42")  # sync pulled a page
    assert s.live.check() is True and s.kiosk.renders[-1][1] is State.CALENDAR
    assert s.live.check() is False


def test_guest_name_screen_is_never_rerendered_from_outside(cache, clock, go):
    link = FakeLink(clock, online=True)
    flow = KioskFlow(cache, clock, link=link)
    go.time_blocks(flow, lang="en")
    flow.screen().slots[0].run()
    flow.select_slots()
    flow.select_identify_method("guest")
    assert flow.state is State.GUEST_NAME
    kiosk = FakeKioskPage(flow)
    live = LiveRefresh(kiosk)
    try:
        link.is_online = False
        assert live.check() is False and kiosk.renders == []
    finally:
        live.close()
        kiosk.page.close()

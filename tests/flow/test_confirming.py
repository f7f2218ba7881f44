"""'Book it' while online: the booking is saved at once and the wait for the server's
answer is handed to the page (kiosk/flow/confirming.py), so the kiosk never freezes."""

from __future__ import annotations

from types import SimpleNamespace

from kiosk.domain.model import BookingStatus
from kiosk.flow import KioskFlow, State
from kiosk.flow.confirming import PendingConfirmation

from flow_link_fakes import FakeLink

CONFIRMED = SimpleNamespace(accepted=True, status=BookingStatus.CONFIRMED, violations=())


def test_book_saves_at_once_and_hands_the_wait_to_the_page(cache, clock, go):
    link = FakeLink(clock, online=True, answer=CONFIRMED)
    flow = KioskFlow(cache, clock, link=link)
    go.confirm(flow, lang="en")
    pending = flow.begin_book()
    assert isinstance(pending, PendingConfirmation)
    assert link.asked == []  # nothing waited for yet
    assert [e.mutation_id for e in cache.outbox_pending()] == [pending.booking.id]  # already durable
    screen = flow.screen()
    assert flow.state is State.CONFIRM
    assert (screen.book.label, screen.book.enabled) == ("Sending to the city. Please wait.", False)
    assert not screen.chrome.back.enabled and not screen.chrome.start_over.enabled  # outcome first
    assert flow.begin_book() is None  # a second tap sends nothing more
    assert len(cache.outbox_pending()) == 1
    pending.settle()
    assert link.asked == [pending.booking.id]
    assert flow.state is not State.CONFIRM and not flow.session.booked_offline
    assert flow.session.booking.status is BookingStatus.CONFIRMED
    assert flow.session.confirming is None


def test_an_answer_after_the_session_was_wiped_changes_nothing_on_screen(cache, clock, go):
    flow = KioskFlow(cache, clock, link=FakeLink(clock, online=True, answer=CONFIRMED))
    go.confirm(flow, lang="en")
    pending = flow.begin_book()
    flow.timeout()  # the person walked away while the server was slow
    pending.settle()
    assert flow.state is State.LANGUAGE and flow.session.booking is None
    assert [e.mutation_id for e in cache.outbox_pending()] == [pending.booking.id]  # sync carries on


def test_offline_book_needs_no_wait(cache, clock, go):
    flow = KioskFlow(cache, clock, link=FakeLink(clock, online=False))
    go.confirm(flow, lang="en")
    assert flow.begin_book() is None
    assert flow.session.booked_offline and flow.state is not State.CONFIRM

"""What the person sees about the server link: freshness, provisional, online-only units,
the done screen's outcome, and the flow-level cancel API (kiosk.flow.offline)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest

from kiosk.domain.model import BookingStatus
from kiosk.domain.rules import ViolationCode
from kiosk.flow import KioskFlow, State
from kiosk.flow.booking import BookingService

from flow_link_fakes import FakeLink


def offline_flow(cache, clock, synced=datetime(2026, 11, 25, 9, 42)):
    link = FakeLink(clock, online=False, synced=synced)
    return KioskFlow(cache, clock, link=link), link


def test_online_screens_carry_no_offline_note_and_say_online(cache, clock, go):
    flow = KioskFlow(cache, clock, link=FakeLink(clock, online=True))
    go.time_blocks(flow, lang="en")
    screen = flow.screen()
    assert screen.availability_note == ()
    assert (screen.chrome.online, screen.chrome.connection) == (True, "Online")
    assert screen.chrome.connection_detail == "The kiosk is connected to the city's booking system."


def test_offline_calendar_and_time_screens_say_how_old_and_provisional(cache, clock, go):
    flow, _ = offline_flow(cache, clock)
    go.time_blocks(flow, lang="en")
    blocks = flow.screen()
    assert blocks.chrome.online is False and blocks.chrome.connection == "Offline"
    as_of, provisional = blocks.availability_note  # short: the calendar must still fit
    assert as_of == "Offline: availability as of 9:42\xa0AM."
    assert provisional == "A booking made now is provisional."
    # a screen reader hears the whole of it
    assert "availability as of 9:42\xa0AM; some times shown free" in blocks.availability_detail
    assert "it is confirmed or refused when the kiosk reconnects" in blocks.availability_detail
    flow.back()
    assert flow.screen().availability_note == blocks.availability_note  # the calendar too


def test_as_of_is_said_in_the_persons_language_with_the_day_when_not_today(cache, clock, go):
    flow, _ = offline_flow(cache, clock, synced=datetime(2026, 11, 24, 18, 5))
    go.time_blocks(flow, lang="ja")
    as_of, provisional = flow.screen().availability_note
    assert as_of == "オフライン：11月24日(火) 18:05時点の空き状況です。" and "仮予約" in provisional
    easy, _ = offline_flow(cache, clock)
    go.time_blocks(easy, lang="ja-easy")
    as_of, provisional = easy.screen().availability_note
    assert "9:42の じょうほう" in as_of and "かりよやく" in provisional
    assert easy.screen().chrome.connection == "つながって いません"


def test_never_synced_offline_kiosk_says_it_has_no_recent_availability(cache, clock, go):
    flow, _ = offline_flow(cache, clock, synced=None)
    go.time_blocks(flow, lang="en")
    screen = flow.screen()
    assert screen.availability_note[0] == "Offline: availability may be out of date."
    assert screen.availability_detail.startswith("The kiosk is offline and has no recent")


def test_online_only_unit_offline_says_so_and_is_refused_with_nothing_booked(cache, clock, go):
    flow, _ = offline_flow(cache, clock)
    flow.select_language("en")
    flow.select_task()
    flow.select_category("hall")
    unit = next(o for o in flow.screen().options if o.id == "unit-bunka-main-hall")
    assert "Online booking only" in unit.detail
    flow.select_unit("bunka-main-hall")
    assert flow.screen().availability_note[1] == (
        "This place can only be booked while the kiosk is online. It cannot be booked now.")
    flow.select_day(date(2026, 11, 28))
    flow.screen().slots[0].run()
    flow.select_slots()
    assert flow.state is State.TIME_BLOCKS
    assert flow.screen().chrome.notices == (
        "This room or court can only be booked while the kiosk is connected. "
        "Please try again later or ask the staff.",)
    assert cache.outbox_pending() == []
    # Online, the same unit shows no such line.
    online = KioskFlow(cache, clock, link=FakeLink(clock, online=True))
    online.select_language("en")
    online.select_task()
    online.select_category("hall")
    unit = next(o for o in online.screen().options if o.id == "unit-bunka-main-hall")
    assert "Online booking only" not in unit.detail


def test_provisional_done_screen_tells_what_happens_next_with_the_code(cache, clock, go):
    flow, _ = offline_flow(cache, clock)
    go.confirm(flow, lang="en")
    flow.select_book()
    screen = flow.screen()
    assert screen.tone == "provisional" and screen.chrome.title == "Your booking is provisional"
    explain, how = screen.status_lines
    assert explain.startswith("This booking is provisional") and screen.offline_message == explain
    assert screen.code in how and "at any kiosk" in how and "staff will phone you" in how
    assert cache.outbox_pending()[0].payload["provisional"] is True


@pytest.mark.parametrize("lang, word", [("ja", "仮予約"), ("ja-easy", "かりよやく")])
def test_provisional_done_screen_in_japanese(cache, clock, go, lang, word):
    flow, _ = offline_flow(cache, clock)
    go.confirm(flow, lang=lang)
    flow.select_book()
    screen = flow.screen()
    assert word in screen.chrome.title and word in screen.status_lines[0]
    assert screen.code in screen.status_lines[1]


def test_done_screen_follows_the_settlement_while_the_person_is_there(cache, clock, go):
    flow, _ = offline_flow(cache, clock)
    go.confirm(flow, lang="en")
    flow.select_book()
    booking = flow.session.booking
    cache.set_booking_status(booking.id, BookingStatus.CONFIRMED)
    screen = flow.screen()
    assert (screen.tone, screen.chrome.title) == ("confirmed", "Your booking is confirmed")
    assert screen.status_lines == (f"The kiosk has reconnected: your booking {booking.code} is now confirmed.",)
    assert screen.offline_message == "" and screen.message.startswith("Show this number")
    cache.set_booking_status(booking.id, BookingStatus.REJECTED, "slot_taken")
    screen = flow.screen()
    assert screen.tone == "rejected" and screen.chrome.title == "Your booking could not be confirmed"
    assert screen.status_lines[1] == "Someone else booked the same time while the kiosk was offline."
    assert "you pay nothing" in screen.status_lines[2] and screen.message == ""


def test_no_answer_while_online_is_provisional_and_flagged_for_follow_up(cache, clock, go):
    link = FakeLink(clock, online=True, answer=None)
    flow = KioskFlow(cache, clock, link=link)
    go.confirm(flow, lang="en")
    flow.select_book()
    assert flow.session.booked_offline and link.asked == [flow.session.booking.id]
    assert flow.screen().tone == "provisional"
    [entry] = cache.outbox_pending()
    assert entry.payload["provisional"] is True


def test_server_refusal_while_waiting_keeps_the_person_on_confirm(cache, clock, go):
    refused = SimpleNamespace(accepted=False, status=BookingStatus.REJECTED,
                              violations=({"code": "slot_taken", "params": {}},))
    flow = KioskFlow(cache, clock, link=FakeLink(clock, online=True, answer=refused))
    go.confirm(flow, lang="en")
    flow.select_book()
    assert flow.state is State.CONFIRM
    assert "is already booked" in flow.screen().chrome.notices[0]


# -- the flow-level cancel API (for "my bookings") -------------------------------------

def _booked(cache, clock, go, day=date(2026, 12, 9)):  # past the 3-day deadline
    flow = KioskFlow(cache, clock, online=lambda: False)
    go.confirm(flow, lang="en", day=day)
    flow.select_book()
    return flow.session.booking


def test_cancel_frees_the_time_and_queues_the_cancellation_after_the_booking(cache, clock, go):
    booking = _booked(cache, clock, go)
    service = BookingService(cache)
    mutation_id, violations = service.cancel(booking.id, clock.now())
    assert violations == [] and mutation_id.startswith("cancel-")
    assert cache.get_booking(booking.id).status is BookingStatus.CANCELLED
    assert cache.busy_between(booking.unit_id, booking.start, booking.end) == []
    book, cancel = cache.outbox_pending()
    assert (book.mutation_id, cancel.mutation_id) == (booking.id, mutation_id)
    assert cancel.payload == {"mutation_id": mutation_id, "kind": "cancel", "booking_id": booking.id}
    # cancelling again: refused, nothing more queued
    _, again = service.cancel(booking.id, clock.now())
    assert [v.code for v in again] == [ViolationCode.NOT_CANCELLABLE]
    assert len(cache.outbox_pending()) == 2


def test_cancel_after_the_deadline_is_refused_and_nothing_changes(cache, clock, go):
    booking = _booked(cache, clock, go)
    service = BookingService(cache)
    late = booking.start - timedelta(hours=1)
    mutation_id, violations = service.cancel(booking.id, late)
    assert mutation_id is None
    assert [v.code for v in violations] == [ViolationCode.CANCELLATION_DEADLINE_PASSED]
    assert cache.get_booking(booking.id).status is BookingStatus.PROVISIONAL
    assert len(cache.outbox_pending()) == 1
    with pytest.raises(KeyError):
        service.cancel("no-such-booking", clock.now())


def test_a_refused_cancellation_puts_the_busy_time_back(cache, clock, go):
    booking = _booked(cache, clock, go)
    BookingService(cache).cancel(booking.id, clock.now())
    # what sync does when the server answers the cancellation with "still confirmed"
    cache.set_booking_status(booking.id, BookingStatus.CONFIRMED, "cancellation_deadline_passed")
    busy = cache.busy_between(booking.unit_id, booking.start, booking.end)
    assert [b.status for b in busy] == [BookingStatus.CONFIRMED] * len(booking.slots)

from __future__ import annotations

from datetime import date, datetime

from kiosk.domain.model import Booking, BookingStatus, Residency, Slot
from kiosk.flow import KioskFlow, State


def test_too_many_hours_shows_translated_rule_and_keeps_choices(flow, go):
    go.time_blocks(flow, category="tennis_court", unit="tennis-a")
    # Courts allow two hours per booking (units.toml), the city three blocks.
    for action in flow.screen().slots[:3]:
        action.run()
    flow.select_slots()
    assert flow.state is State.TIME_BLOCKS
    assert flow.screen().chrome.notices == ("1回に予約できるのは2コマまでです。",)
    assert len(flow.session.slots) == 3
    flow.screen().slots[2].run()  # un-choose one: the notice goes, two remain
    assert flow.screen().chrome.notices == () and len(flow.session.slots) == 2
    flow.select_slots()
    assert flow.state is State.IDENTIFY


def test_group_only_unit_is_refused_in_english(flow, go):
    go.time_blocks(flow, lang="en", category="meeting_room", unit="support-activity")
    flow.screen().slots[0].run()
    flow.select_slots()
    assert flow.state is State.TIME_BLOCKS
    assert flow.screen().chrome.notices == ("Only registered groups can book this room or court.",)


def test_non_resident_window_is_checked_once_residency_is_known(flow, go):
    # 70 days ahead: open for residents (90) but not for non-residents (60).
    day = date(2027, 2, 3)
    flow.select_language("en")
    flow.select_task()
    flow.select_category("hall")
    flow.select_unit("chuo-hall")
    flow.next_month(); flow.next_month()
    flow.select_day(day)
    flow.screen().slots[0].run()
    flow.select_slots()
    flow.select_identify_method("guest")
    flow.select_guest_details("Ann Lee", "0312345678", Residency.NON_RESIDENT)
    assert flow.state is State.CONFIRM
    [notice] = flow.screen().chrome.notices
    assert notice.startswith("Booking for Wed, Feb 3 is not open yet. You can book it from ")
    flow.select_book()
    assert flow.state is State.CONFIRM and flow.session.booking is None
    assert flow.session.guest.name == "Ann Lee" and len(flow.session.slots) == 1
    flow.back()  # to "Do you live in ...?": the answer changed
    flow.guest.choose_residency(Residency.RESIDENT)
    assert flow.screen().chrome.notices == ()
    flow.select_book()
    assert flow.state is State.DONE


def test_slot_taken_meanwhile_keeps_everything(flow, cache, clock, go):
    go.confirm(flow, slots=1, lang="en")
    other = KioskFlow(cache, clock)  # another person at another kiosk session
    go.confirm(other, slots=1, name="Other", phone="0311112222")
    other.select_book()
    assert other.state is State.DONE
    flow.select_book()
    assert flow.state is State.CONFIRM
    assert flow.screen().chrome.notices == (
        "The time 09:00 to 12:00 on Sat, Nov 28 is already booked.",)
    assert flow.session.guest.name == "山田 太郎" and len(flow.session.slots) == 1


def test_active_booking_limit_per_guest_phone(flow, cache, go):
    for i in range(4):
        start = datetime(2026, 12, 1 + i, 9)
        booking = Booking(id=f"mine-{i}", code=f"AA{i}-AAA", unit_id="chuo-meeting-1",
                          slots=(Slot(start, start.replace(hour=12), "morning"),),
                          status=BookingStatus.CONFIRMED, residency=Residency.RESIDENT,
                          total_yen=0, created_at=start)
        from kiosk.flow.booking import guest_person_key
        cache.record_booking(booking, {}, {"kind": "book"},
                             person_key=guest_person_key("090-1234-5678"))
    go.confirm(flow, lang="en", phone="09012345678")
    assert flow.screen().chrome.notices == (
        "You already have 4 bookings. You can have at most 4 at a time.",)


class BrokenCache:
    """The real cache, except that writing fails (a full disk, a locked file)."""

    def __init__(self, cache):
        self._cache = cache

    def __getattr__(self, name):
        return getattr(self._cache, name)

    def record_booking(self, *args, **kwargs):
        raise OSError("disk full")


def test_a_failing_save_says_so_and_keeps_choices(cache, clock, go):
    flow = KioskFlow(BrokenCache(cache), clock)
    go.confirm(flow, lang="en")
    flow.select_book()
    assert flow.state is State.CONFIRM
    assert flow.screen().chrome.notices == ("The booking could not be saved. Nothing was booked.",)
    assert flow.session.guest.phone == "090-1234-5678"
    assert cache.outbox_pending() == []


def test_offline_provisional_booking_is_told_plainly(cache, clock, go):
    flow = KioskFlow(cache, clock, online=lambda: False)
    go.confirm(flow, lang="en")
    flow.select_book()
    assert flow.state is State.DONE
    assert "provisional" in flow.screen().offline_message

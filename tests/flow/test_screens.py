from __future__ import annotations

from datetime import date, datetime

from kiosk.domain.model import Booking, BookingStatus, Residency, Slot
from kiosk.flow import State
from kiosk.flow.viewmodels import CalendarScreen, ChoiceScreen, ConfirmScreen
from kiosk.i18n import LANGUAGES


def test_language_screen_names_each_language_in_itself(flow):
    screen = flow.screen()
    assert isinstance(screen, ChoiceScreen)
    assert [o.label for o in screen.options] == [lang.native_name for lang in LANGUAGES]
    assert screen.chrome.back is None and screen.chrome.start_over is None


def test_every_screen_after_language_has_back_and_start_over(flow, go):
    go.confirm(flow)
    screen = flow.screen()
    assert screen.chrome.back is not None and screen.chrome.start_over is not None
    assert screen.chrome.help_text == "お困りのときは、職員にお声がけください。"


def test_calendar_states_by_symbol_and_word(flow, go):
    go.time_blocks(flow)
    flow.back()
    screen = flow.screen()
    assert isinstance(screen, CalendarScreen)
    assert screen.month_label == "2026年11月"
    assert screen.weekdays == ("日", "月", "火", "水", "木", "金", "土")
    cells = {c.action.id: c for week in screen.weeks for c in week if c}
    assert len(cells) == 30
    monday = cells["day-2026-11-30"]  # the hall closes on Mondays
    assert (monday.action.badge, monday.state_text, monday.action.enabled) == ("休", "休館日", False)
    past = cells["day-2026-11-20"]
    assert (past.action.badge, past.action.enabled) == ("－", False)
    free = cells["day-2026-11-28"]
    assert (free.action.badge, free.state_text, free.action.enabled) == ("○", "空きあり", True)
    assert free.action.label == "11月28日(土)：空き 3/3"
    assert screen.previous_month.enabled is False  # nothing to book before this month
    flow.next_month()
    assert flow.screen().month_label == "2026年12月"


def test_calendar_in_english_starts_on_sunday(flow, go):
    go.time_blocks(flow, lang="en")
    flow.back()
    screen = flow.screen()
    assert screen.month_label == "November 2026"
    assert screen.weekdays[0] == "Sun"
    cells = {c.action.id: c for week in screen.weeks for c in week if c}
    assert cells["day-2026-11-28"].action.label == "Sat, Nov 28: 3 of 3 free"


def test_taken_slot_shows_as_taken_and_day_counts_it(flow, cache, go):
    _book_directly(cache, "chuo-hall", datetime(2026, 11, 28, 9), datetime(2026, 11, 28, 12))
    go.time_blocks(flow, lang="en")
    morning, afternoon, _ = flow.screen().slots
    assert (morning.enabled, morning.detail, morning.badge) == (False, "Taken", "×")
    assert (afternoon.enabled, afternoon.detail) == (True, "Free")
    flow.back()
    cells = {c.action.id: c for week in flow.screen().weeks for c in week if c}
    assert cells["day-2026-11-28"].action.label == "Sat, Nov 28: 2 of 3 free"


def test_confirm_itemises_fee_with_surcharge_and_exemption(flow, go):
    go.confirm(flow, slots=2, lang="en", residency=Residency.NON_RESIDENT)
    screen = flow.screen()
    assert isinstance(screen, ConfirmScreen)
    assert screen.total == "¥14,000"  # non-resident: 6000 + 8000
    assert dict(screen.summary)["Rate"] == "Non-resident rate"
    flow.toggle_surcharge("air_conditioning")
    screen = flow.screen()
    assert screen.total == "¥18,000"  # + 2 × 2000
    assert [r.detail for r in screen.fee_rows][-1] == "2 × ¥2,000"
    assert [a.selected for a in screen.surcharges][0] is True
    flow.select_exemption("senior_club")  # 50% off the usage fee, not the surcharge
    screen = flow.screen()
    assert screen.total == "¥11,000"
    assert any(a.selected and a.id == "exemption-senior_club" for a in screen.exemptions)
    flow.toggle_surcharge("air_conditioning")
    assert flow.screen().total == "¥7,000"


def _book_directly(cache, unit_id, start, end):
    booking = Booking(id="other-" + start.isoformat(), code="ZZZ-ZZZ", unit_id=unit_id,
                      slots=(Slot(start, end, "morning"),), status=BookingStatus.CONFIRMED,
                      residency=Residency.RESIDENT, total_yen=0, created_at=start)
    cache.record_booking(booking, {}, {"kind": "book"}, check_overlap=False)


def test_done_screen_has_code_qr_and_no_back(flow, go):
    go.confirm(flow, lang="en")
    flow.select_book()
    screen = flow.screen()
    assert screen.chrome.state is State.DONE and screen.chrome.back is None
    assert screen.code_label == "Your booking number"
    assert len(screen.code) == 7 and screen.code[3] == "-"
    assert screen.finish.label == "Finish"
    assert screen.offline_message == ""

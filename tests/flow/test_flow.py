from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.domain.model import BookingStatus, Residency
from kiosk.flow import FlowError, IllegalTransition, KioskFlow, Session, State
from kiosk.flow.booking import guest_person_key


def test_booking_from_language_to_done_records_booking_and_outbox(flow, cache, go):
    go.confirm(flow, slots=2)
    assert flow.state is State.CONFIRM
    assert flow.screen().chrome.notices == ()
    flow.screen().book.run()
    assert flow.state is State.DONE

    done = flow.screen()
    booking = cache.find_booking(done.code)
    assert booking is not None and booking.status is BookingStatus.PROVISIONAL
    assert booking.unit_id == "chuo-hall" and len(booking.slots) == 2
    assert booking.total_yen == 7000  # resident: morning 3000 + afternoon 4000
    assert done.qr_png.startswith(b"\x89PNG")
    assert "￥7,000" in dict(done.summary).values()

    [entry] = cache.outbox_pending()
    payload = entry.payload
    assert entry.kind == "book" and payload["kind"] == "book"
    assert payload["booking_id"] == booking.id
    assert payload["unit_id"] == "chuo-hall"
    assert payload["slots"] == [["2026-11-28T09:00:00", "2026-11-28T12:00:00"],
                                ["2026-11-28T13:00:00", "2026-11-28T17:00:00"]]
    assert payload["residency"] == "resident"
    assert payload["surcharges"] == [] and payload["exemption"] is None
    assert payload["contact"] == {"name": "山田 太郎", "phone": "090-1234-5678"}
    # The booked time is busy now: another session sees it taken.
    assert cache.busy_between("chuo-hall", datetime(2026, 11, 28), datetime(2026, 11, 29))


def test_nothing_survives_start_over_or_timeout(flow, go):
    go.confirm(flow, name="佐藤 花子", phone="080-9999-0000")
    flow.toggle_surcharge("air_conditioning")
    flow.select_exemption("senior_club")
    flow.select_book()
    assert flow.state is State.DONE
    flow.screen().finish.run()
    assert vars(flow.session) == vars(Session())
    assert "佐藤" not in repr(flow.session) and "9999" not in repr(flow.session)
    assert flow.t.code == "ja"
    assert flow.screen().chrome.state is State.LANGUAGE

    go.confirm(flow, name="鈴木 一郎", phone="070-1111-2222", day=date(2026, 11, 29))
    flow.timeout()
    assert vars(flow.session) == vars(Session())
    assert "鈴木" not in repr(flow.session) and "1111" not in repr(flow.session)


def test_session_reset_clears_every_field_even_new_ones():
    session = Session()
    session.guest.name, session.guest.phone = "X", "0312345678"
    session.slots.append(object())
    session.surcharges.add("piano")
    session.language = "en"
    session.reset()
    assert vars(session) == vars(Session())
    # Fresh containers, not the old ones emptied in place by accident.
    assert session.slots == [] and session.surcharges == set()


def test_back_keeps_choices_and_confirm_back_returns_to_the_guest_questions(flow, go):
    go.confirm(flow)
    flow.back()
    assert flow.state is State.GUEST_RESIDENCY
    assert [a.selected for a in flow.screen().options] == [True, False]
    flow.back(); flow.back()
    assert (flow.state, flow.screen().value) == (State.GUEST_NAME, "山田 太郎")
    flow.back(); flow.back()
    assert flow.state is State.TIME_BLOCKS
    assert [a.selected for a in flow.screen().slots] == [True, True, False]


def test_illegal_events_raise_and_change_nothing(flow):
    with pytest.raises(IllegalTransition):
        flow.select_book()
    with pytest.raises(IllegalTransition):
        flow.back()
    flow.select_language("en")
    with pytest.raises(IllegalTransition):
        flow.select_day(date(2026, 11, 28))
    assert flow.state is State.HOME


def test_disabled_choices_are_refused(flow, go):
    flow.select_language("ja")
    flow.select_task()
    flow.select_category("hall")
    with pytest.raises(FlowError):
        flow.select_unit("tennis-a")  # not a hall
    flow.select_unit("chuo-hall")
    with pytest.raises(FlowError):
        flow.select_day(date(2026, 11, 30))  # Monday: closed
    with pytest.raises(FlowError):
        flow.select_day(date(2026, 11, 20))  # past
    assert flow.state is State.CALENDAR


def test_language_choice_changes_every_text(flow, go):
    go.time_blocks(flow, lang="en")
    screen = flow.screen()
    assert screen.chrome.title == "Choose the time"
    assert screen.chrome.back.label == "Back" and screen.chrome.start_over.label == "Start over"
    assert screen.slots[0].label.startswith("Morning 9:00")
    flow.start_over()
    go.time_blocks(flow, lang="ja-easy")
    screen = flow.screen()
    assert screen.chrome.title == "じかんを えらんで ください"
    assert screen.slots[0].label.startswith("あさ")


def test_phone_and_name_input_is_normalised_and_checked(flow, go):
    go.time_blocks(flow)
    flow.screen().slots[0].run()
    flow.select_slots()
    flow.select_identify_method("guest")
    flow.select_guest_details("  ", "12345", None)
    assert flow.state is State.GUEST_NAME
    assert flow.screen().chrome.notices == ("名前を入力してください。",)
    flow.select_guest_details("山田", "12345", None)
    assert flow.state is State.GUEST_PHONE
    assert flow.screen().chrome.notices == ("電話番号を10桁か11桁で入力してください。",)
    assert flow.screen().value == "12345"  # kept for correction
    flow.back()
    flow.select_guest_details("山田", "0312345678", None)
    assert flow.state is State.GUEST_RESIDENCY
    assert flow.screen().chrome.notices == ("みどり市にお住まいかどうかを選んでください。",)
    flow.back(); flow.back()
    flow.select_guest_details("ＹＡＭＡＤＡ", "０９０ー１２３４ー５６７８", Residency.NON_RESIDENT)
    assert flow.state is State.CONFIRM
    assert flow.session.guest.name == "YAMADA"
    assert flow.session.guest.phone == "09012345678"


def test_guest_person_key_is_stable_and_not_the_phone():
    key = guest_person_key("090-1234-5678")
    assert key == guest_person_key("09012345678")
    assert "1234" not in key and key != guest_person_key("09012345679")

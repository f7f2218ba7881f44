"""The room model behind the volunteer's page: seats, steps, resets, the code."""

from __future__ import annotations

import pytest

from kiosk.flow.states import State
from kiosk.practice.room import STEPS, Room, RoomError, VolunteerLock, step_of
from kiosk.practice.volunteer import Volunteer


class Server:
    """The practice server's cancel, recorded; ``down`` makes it fail."""

    def __init__(self) -> None:
        self.cancelled: list[str] = []
        self.down = False

    def cancel(self, booking_id: str) -> bool:
        if self.down:
            return False
        self.cancelled.append(booking_id)
        return True


@pytest.fixture
def server() -> Server:
    return Server()


def test_every_flow_state_belongs_to_exactly_one_step():
    grouped = [s for step in STEPS for s in step.states]
    assert sorted(grouped) == sorted(s.value for s in State)
    assert len(grouped) == len(set(grouped))
    assert [step_of(s)[1].key for s in ("language", "unit", "time_blocks", "card_pin", "paying", "receipt")] == \
        ["language", "place", "day", "identify", "pay", "done"]


def test_seats_report_their_steps_and_bookings(server: Server):
    room = Room(5, server.cancel)
    gens = {n: room.attach(n).generation for n in range(1, 6)}
    for n, state in zip(range(1, 6), ["home", "calendar", "card_pin", "paying", "done"]):
        assert room.observe(n, gens[n], state, "vi", [f"bk-{n}"] if n > 3 else [])
    assert [room.seat(n).step_number for n in range(1, 6)] == [2, 4, 5, 7, 8]
    assert room.seat(5).booking_ids == {"bk-5"}
    with pytest.raises(RoomError):
        room.seat(6)


def test_reset_all_cancels_every_practice_booking_and_starts_every_seat_afresh(server: Server):
    room = Room(3, server.cancel)
    for n in (1, 2, 3):
        gen = room.attach(n).generation
        room.observe(n, gen, "receipt", "en", [f"bk-{n}a", f"bk-{n}b"])
    results = room.reset_all()
    assert sorted(server.cancelled) == sorted(f"bk-{n}{x}" for n in (1, 2, 3) for x in "ab")
    assert [r.failed for r in results] == [(), (), ()]
    assert all(s.state == "language" and not s.booking_ids and s.generation == 1 for s in room.seats.values())


def test_reset_one_leaves_the_others_alone(server: Server):
    room = Room(2, server.cancel)
    g1, g2 = room.attach(1).generation, room.attach(2).generation
    room.observe(1, g1, "confirm", "ko", ["bk-1"])
    room.observe(2, g2, "done", "ko", ["bk-2"])
    room.reset(2)
    assert server.cancelled == ["bk-2"]
    assert room.seat(1).state == "confirm" and room.seat(1).booking_ids == {"bk-1"}
    assert room.seat(2).state == "language" and room.seat(2).generation == 1


def test_a_late_draw_of_a_reset_seat_cannot_bring_it_back(server: Server):
    room = Room(1, server.cancel)
    gen = room.attach(1).generation
    room.observe(1, gen, "done", "en", ["bk-1"])
    room.reset(1)
    assert not room.observe(1, gen, "done", "en", ["bk-1"])  # the page had not caught up
    assert room.seat(1).state == "language" and not room.seat(1).booking_ids
    assert room.observe(1, room.seat(1).generation, "language", None, [])


def test_a_booking_the_server_could_not_cancel_is_kept_for_the_next_reset(server: Server):
    room = Room(1, server.cancel)
    room.observe(1, room.attach(1).generation, "done", "en", ["bk-1"])
    server.down = True
    assert room.reset(1).failed == ("bk-1",)
    assert room.seat(1).booking_ids == {"bk-1"}
    server.down = False
    assert room.reset(1).cancelled == ("bk-1",) and not room.seat(1).booking_ids


def test_fewer_seats_resets_the_ones_that_go(server: Server):
    room = Room(3, server.cancel)
    room.observe(3, room.attach(3).generation, "done", "en", ["bk-3"])
    room.set_seat_count(2)
    assert sorted(room.seats) == [1, 2] and server.cancelled == ["bk-3"]
    with pytest.raises(ValueError):
        room.set_seat_count(0)


def test_a_browser_on_slash_gets_the_first_free_seat(server: Server):
    room = Room(3, server.cancel)
    room.attach(1)
    assert room.free_seat() == 2
    room.attach(2), room.attach(3)
    assert room.free_seat() == 1
    room.detach(2)
    assert room.free_seat() == 2


def test_the_version_moves_only_when_something_changes(server: Server):
    room = Room(1, server.cancel)
    gen = room.attach(1).generation
    room.observe(1, gen, "home", "en")
    v = room.version
    room.observe(1, gen, "home", "en")
    assert room.version == v
    room.observe(1, gen, "category", "en")
    assert room.version == v + 1


def test_the_volunteer_code_locks_after_five_wrong_tries():
    now = [0.0]
    lock = VolunteerLock("2525", monotonic=lambda: now[0])
    assert not any(lock.check("0000") for _ in range(5))
    assert lock.locked and not lock.check("2525")  # even the right code, for a minute
    now[0] = 61
    assert lock.check(" 2525 ")


def test_the_volunteer_page_is_closed_until_the_code(server: Server):
    room = Room(2, server.cancel)
    page = Volunteer(room, VolunteerLock("2525"), "http://127.0.0.1:8560/", "ja")
    assert page.screen().locked and page.screen().unlock is not None
    with pytest.raises(PermissionError):
        page.reset_all()
    page.code = "2525"
    page.unlock()
    assert page.code == "" and not page.screen().locked
    screen = page.screen()
    assert screen.title == "練習の部屋：席と進み具合"
    assert [r.url for r in screen.rows] == ["http://127.0.0.1:8560/seat/1", "http://127.0.0.1:8560/seat/2"]
    assert screen.rows[0].step == "ステップ 1/8：言語を選択中"
    room.observe(1, room.attach(1).generation, "done", "ja", ["bk-1"])
    page.screen().reset_all.run()
    assert page.notice == "リセットしました：2 席が最初に戻り、練習の予約 1 件を消しました。"
    page.screen().more.run()
    assert len(room.seats) == 3
    page.screen().fewer.run()
    assert len(room.seats) == 2


def test_my_bookings_is_shown_without_a_step_number(server: Server):
    room = Room(1, server.cancel)
    page = Volunteer(room, VolunteerLock("2525"), "http://127.0.0.1:8560", "en")
    page.unlock("2525")
    room.observe(1, room.attach(1).generation, "my_lookup", "en")
    assert page.screen().rows[0].step == "My bookings"


def test_the_volunteer_page_hands_over_what_its_resets_cancelled(server: Server):
    room = Room(2, server.cancel)
    page = Volunteer(room, VolunteerLock("2525"), "http://127.0.0.1:8560", "en")
    page.unlock("2525")
    room.observe(2, room.attach(2).generation, "done", "en", ["bk-2"])
    page.reset(2)
    assert page.take_cancelled() == ["bk-2"] and page.take_cancelled() == []

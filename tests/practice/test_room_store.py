"""The practice room on disk: it survives a restart of the practice process, every write
is whole, and a file that cannot be read gives a fresh room and a clear message, never a
crash. The last test restarts a real ``python -m kiosk practice`` process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.practice.process import PracticeProcess
from kiosk.practice.room import Room, VolunteerLock
from kiosk.practice.room_store import FILE_NAME, open_room, snapshot
from kiosk.practice.volunteer import Volunteer


def booked_room(path: Path) -> Room:
    room = open_room(path, 4, cancel=lambda b: True)
    for seat, state, booking in ((1, "pay_choice", "bk-1"), (3, "done", "bk-3")):
        gen = room.attach(seat).generation
        room.observe(seat, gen, state, "vi", [booking])
    room.reset(1)
    gen = room.attach(1).generation
    room.observe(1, gen, "calendar", "ne", ["bk-9"])
    return room


def test_the_room_comes_back_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    before = booked_room(path)
    cancelled: list[str] = []
    after = open_room(path, 4, cancel=lambda b: cancelled.append(b) or True)  # a new process
    assert snapshot(after) == snapshot(before) and not after.unreadable
    assert [(s.state, s.language, s.generation, s.sessions) for s in after.seats.values()] == [
        ("calendar", "ne", 1, 0), ("language", None, 0, 0), ("done", "vi", 0, 0), ("language", None, 0, 0)]
    # the reset after the restart still cancels what the seats booked before it
    assert [r.cancelled for r in after.reset_all()] == [("bk-9",), (), ("bk-3",), ()]
    assert sorted(cancelled) == ["bk-3", "bk-9"]
    assert all(not s["booking_ids"] for s in json.loads(path.read_text())["seats"])


def test_more_seats_asked_for_are_opened_never_fewer(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    booked_room(path)
    assert len(open_room(path, 6, cancel=lambda b: True).seats) == 6
    assert len(open_room(path, 2, cancel=lambda b: True).seats) == 6  # seat 3's booking stays


def test_writes_are_whole_and_leave_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    room = open_room(path, 2, cancel=lambda b: True)
    gen = room.attach(1).generation
    for i, state in enumerate(["home", "category", "unit", "calendar", "confirm"] * 20):
        room.observe(1, gen, state, "en", [f"bk-{i}"])
        assert json.loads(path.read_text())["seats"][0]["state"] == state
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILE_NAME]


@pytest.mark.parametrize("content", [
    b"{ not json", b"", b"\xff\xfe\x00garbage", b"[]", b'{"format": 99, "seats": []}',
    b'{"format": 1, "seats": [{"number": "x"}]}', b'{"format": 1, "seats": [{"number": 2, "state": "home",'
    b' "language": null, "generation": 0, "booking_ids": []}]}', b'{"format": 1, "seats": []}',
])
def test_an_unreadable_room_gives_a_fresh_one_and_says_so(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(content)
    room = open_room(path, 3, cancel=lambda b: True)
    assert room.unreadable and sorted(room.seats) == [1, 2, 3]
    assert all(s.state == "language" and not s.booking_ids for s in room.seats.values())
    assert (tmp_path / (FILE_NAME + ".unreadable")).read_bytes() == content  # kept for a look
    assert json.loads(path.read_text())["format"] == 1  # a good file again
    page = Volunteer(room, VolunteerLock("2525"), "http://127.0.0.1:8560", "en")
    assert page.screen().notice == "The saved practice room could not be read. A new room was started."
    page.unlock("2525")
    assert page.screen().notice.startswith("The saved practice room could not be read.")
    assert Volunteer(room, VolunteerLock("2525"), "", "ja").notice == (
        "保存した練習の部屋を読み込めませんでした。新しい部屋を始めました。")


def test_the_practice_process_keeps_its_room_and_survives_a_bad_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "practice"
    with PracticeProcess(data_dir, seats=3) as practice:
        assert len(json.loads((data_dir / FILE_NAME).read_text())["seats"]) == 3
    # between runs, a seat's bookings are on file (as a crash would have left them)
    saved = json.loads((data_dir / FILE_NAME).read_text())
    saved["seats"][1].update(state="confirm", language="vi", booking_ids=["bk-before-restart"])
    (data_dir / FILE_NAME).write_text(json.dumps(saved))
    with PracticeProcess(data_dir, seats=3) as practice:
        again = json.loads((data_dir / FILE_NAME).read_text())
        assert again["seats"][1]["booking_ids"] == ["bk-before-restart"]
        assert "practice room restored" in practice.log_tail(400)
    (data_dir / FILE_NAME).write_text('{"format": 1, "seats": [')  # cut short
    with PracticeProcess(data_dir, seats=2) as practice:
        assert practice.proc.poll() is None  # it runs
        assert "could not be read" in practice.log_tail(400)
        assert [s["booking_ids"] for s in json.loads((data_dir / FILE_NAME).read_text())["seats"]] == [[], []]

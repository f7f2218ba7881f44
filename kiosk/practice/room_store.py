"""The practice room kept on disk, so a restart of ``python -m kiosk practice`` (a crash, a
laptop put to sleep and woken, the volunteer pressing Ctrl+C by mistake) keeps the room:
how many seats, the step each learner had reached, and above all the practice bookings
each seat made, which the volunteer's reset must still cancel after the restart.

One small JSON file in the practice data dir (``practice-room.json``), written whole on
every change to a temporary file in the same directory, flushed to disk and renamed over
the old one: a crash mid-write leaves the old file or the new one, never half of one.
What a browser session holds (``sessions``) is not kept: after a restart no page shows a
seat until it reconnects.

A file that cannot be read (cut short by a full disk, edited by hand, another version)
never stops practice mode: it is moved aside (``practice-room.json.unreadable``), the log
says so, the room starts fresh and the volunteer's page says "The saved practice room
could not be read. A new room was started."

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "practice-room.json"
    >>> room = open_room(path, 3, cancel=lambda b: True)
    >>> gen = room.attach(2).generation
    >>> room.observe(2, gen, "confirm", "vi", ["bk-7"])
    True
    >>> again = open_room(path, 3, cancel=lambda b: True)           # the process restarted
    >>> again.seat(2).state, sorted(again.seat(2).booking_ids), again.seat(2).sessions
    ('confirm', ['bk-7'], 0)
    >>> _ = path.write_text("{ not json")
    >>> fresh = open_room(path, 3, cancel=lambda b: True)
    >>> fresh.unreadable, fresh.seat(2).booking_ids, path.with_name(path.name + ".unreadable").is_file()
    (True, set(), True)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from kiosk.practice.config import MAX_SEATS
from kiosk.practice.room import Room, Seat
from kiosk.saved_file import JsonFile

log = logging.getLogger(__name__)

FILE_NAME = "practice-room.json"
FORMAT = 1


class UnreadableRoom(ValueError):
    """The saved room is not a room this version can read."""


def snapshot(room: Room) -> dict:
    return {"format": FORMAT, "seats": [
        {"number": s.number, "state": s.state, "language": s.language, "generation": s.generation,
         "booking_ids": sorted(s.booking_ids)}
        for _, s in sorted(room.seats.items())]}


def parse(data: object) -> list[Seat]:
    """The seats of a saved room; UnreadableRoom for anything else."""
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("seats"), list):
        raise UnreadableRoom("not a practice room of this version")
    seats = []
    for item in data["seats"]:
        try:
            seat = Seat(int(item["number"]), str(item["state"]),
                        None if item["language"] is None else str(item["language"]),
                        int(item["generation"]), booking_ids={str(b) for b in item["booking_ids"]})
        except (KeyError, TypeError, ValueError) as exc:
            raise UnreadableRoom(f"a seat is malformed: {exc!r}") from None
        seats.append(seat)
    numbers = [s.number for s in seats]
    if numbers != list(range(1, len(seats) + 1)) or not 1 <= len(seats) <= MAX_SEATS:
        raise UnreadableRoom("the seats are not numbered 1..n")
    return seats


class RoomFile:
    def __init__(self, path: Path) -> None:
        self.file = JsonFile(path, UnreadableRoom, log)
        self.path = self.file.path

    def load(self) -> list[Seat] | None:
        """The saved seats; None when there is no file. UnreadableRoom when it is bad."""
        document = self.file.read()
        return None if document is None else parse(document)

    def save(self, room: Room) -> None:
        try:
            self.file.write(snapshot(room), indent=1)
        except OSError as exc:  # a full disk must not stop the workshop: the room lives on
            log.error("the practice room could not be saved to %s: %s", self.path, exc)

    def set_aside(self) -> Path:
        return self.file.set_aside()


def open_room(path: Path, seats: int, cancel: Callable[[str], bool]) -> Room:
    """The room saved at ``path`` (or a new one of ``seats`` seats), saved on every change.
    ``room.unreadable`` is True when a saved room had to be given up."""
    store = RoomFile(path)
    room = Room(seats, cancel)
    try:
        saved = store.load()
    except UnreadableRoom as exc:
        aside = store.set_aside()
        log.error("the saved practice room %s could not be read (%s); it is kept as %s and a new "
                  "room is started", path, exc, aside)
        room.unreadable, saved = True, None
    room.on_change = lambda: store.save(room)
    if saved is not None:
        room.seats = {s.number: s for s in saved}
        log.info("practice room restored from %s: %d seats, %d practice bookings", path, len(saved),
                 sum(len(s.booking_ids) for s in saved))
    # more seats asked for than were saved: open them; never fewer (that would reset seats,
    # cancelling their bookings, before the volunteer has even looked)
    room.set_seat_count(max(seats, len(room.seats)))  # saves the file
    return room

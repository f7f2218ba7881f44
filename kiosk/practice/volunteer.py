"""The volunteer's page: its logic and view-models, in plain Python (kiosk/ui/volunteer.py
only draws them). Behind the volunteer code; shows every seat's step, live; resets one
seat or all of them; opens and closes seats.

    >>> from kiosk.practice.room import Room, VolunteerLock
    >>> room = Room(3, cancel=lambda b: True)
    >>> page = Volunteer(room, VolunteerLock("2525"), "http://127.0.0.1:8560", "en")
    >>> page.screen().title, page.unlock("1111"), page.screen().notice
    ('Practice room: seats and steps', False, 'That code is not correct.')
    >>> page.unlock("2525"), [r.step for r in page.screen().rows][:1]
    (True, ['Step 1 of 8: Choosing a language'])
    >>> page.screen().rows[2].url
    'http://127.0.0.1:8560/seat/3'
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.flow.viewmodels import Action
from kiosk.i18n import Translator
from kiosk.practice import messages as PM
from kiosk.practice.config import MAX_SEATS
from kiosk.practice.room import BOOKING_STEPS, Room, VolunteerLock


@dataclass(frozen=True)
class SeatRow:
    number: int
    title: str
    state: str  # the flow state, for tests and logs
    step: str
    opened: str
    url: str
    reset: Action


@dataclass(frozen=True)
class VolunteerScreen:
    title: str
    locked: bool
    notice: str = ""
    code_label: str = ""
    unlock: Action | None = None
    count: str = ""
    more: Action | None = None
    fewer: Action | None = None
    reset_all: Action | None = None
    rows: tuple[SeatRow, ...] = ()


class Volunteer:
    def __init__(self, room: Room, lock: VolunteerLock, base_url: str, language: str = "ja") -> None:
        self.room = room
        self.lock = lock
        self.base_url = base_url.rstrip("/")
        self.t = Translator(language)
        self.unlocked = False
        # a saved room that could not be read (kiosk/practice/room_store.py): say so
        self.notice = self._opening_notice()
        self.code = ""  # what is typed in the code field; forgotten once checked
        self.cancelled: list[str] = []  # bookings the last resets cancelled (``take_cancelled``)

    # -- actions ----------------------------------------------------------------------
    def unlock(self, code: str | None = None) -> bool:
        code, self.code = (self.code if code is None else code), ""
        self.unlocked = self.lock.check(code)
        refused = PM.VOLUNTEER_LOCKED if self.lock.locked else PM.VOLUNTEER_WRONG
        self.notice = self._opening_notice() if self.unlocked else self.t(refused)
        return self.unlocked

    def _opening_notice(self) -> str:
        """A saved room that could not be read (kiosk/practice/room_store.py) is said."""
        return self.t(PM.ROOM_UNREADABLE) if self.room.unreadable else ""

    def _require(self) -> None:
        if not self.unlocked:
            raise PermissionError("the volunteer page is locked")

    def reset(self, number: int) -> None:
        self._require()
        self._said([self.room.reset(number)])

    def reset_all(self) -> None:
        self._require()
        self._said(self.room.reset_all())

    def take_cancelled(self) -> list[str]:
        taken, self.cancelled = self.cancelled, []
        return taken

    def _said(self, results) -> None:
        self.cancelled += [b for r in results for b in r.cancelled]
        removed = sum(len(r.cancelled) for r in results)
        left = sum(len(r.failed) for r in results)
        self.notice = self.t(PM.RESET_DONE, seats=len(results), bookings=removed)
        if left:
            self.notice += " " + self.t(PM.RESET_LEFT, n=left)

    def set_seats(self, n: int) -> None:
        self._require()
        self.room.set_seat_count(max(1, min(MAX_SEATS, n)))
        self.notice = ""

    # -- what the page shows ----------------------------------------------------------
    def screen(self) -> VolunteerScreen:
        t = self.t
        if not self.unlocked:
            return VolunteerScreen(t(PM.VOLUNTEER_TITLE), True, self.notice, t(PM.VOLUNTEER_CODE),
                                   Action("volunteer-unlock", t(PM.VOLUNTEER_ENTER), self.unlock))
        n = len(self.room.seats)
        rows = []
        for number, seat in sorted(self.room.seats.items()):
            step = t(seat.step.label)
            if seat.step_number <= BOOKING_STEPS:  # "My bookings" is a side trip, no number
                step = t(PM.SEAT_STEP, number=seat.step_number, steps=BOOKING_STEPS, step=step)
            rows.append(SeatRow(
                number, t(PM.SEAT, n=number), seat.state, step,
                t(PM.SEAT_OPEN if seat.sessions else PM.SEAT_CLOSED),
                f"{self.base_url}/seat/{number}",
                Action(f"reset-seat-{number}", t(PM.RESET_SEAT, n=number),
                       lambda number=number: self.reset(number)),
            ))
        return VolunteerScreen(
            t(PM.VOLUNTEER_TITLE), False, self.notice,
            count=t(PM.SEATS_COUNT, n=n),
            more=Action("seats-more", t(PM.SEATS_MORE), lambda: self.set_seats(n + 1), enabled=n < MAX_SEATS),
            fewer=Action("seats-fewer", t(PM.SEATS_FEWER), lambda: self.set_seats(n - 1), enabled=n > 1),
            reset_all=Action("reset-all", t(PM.RESET_ALL), self.reset_all),
            rows=tuple(rows),
        )

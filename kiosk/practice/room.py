"""A workshop room: numbered practice seats, the step each learner has reached, and the
volunteer's one-tap reset. Plain Python: the Flet pages only report and draw.

Each seat is a browser tab or kiosk showing ``/seat/N``. Its page reports what it shows
(``observe``) every time it draws; the room keeps the seat's step and the practice
bookings the seat made. ``reset(n)`` cancels those bookings on the practice server
(``cancel``), puts the seat back on the language screen and bumps its *generation*:
the seat's page sees the new generation, wipes its session and draws the first screen.
A page still drawing the old generation is ignored, so a late draw cannot bring back a
reset seat's step or bookings.

    >>> cancelled = []
    >>> room = Room(2, cancel=lambda b: cancelled.append(b) or True)
    >>> gen = room.attach(1).generation
    >>> room.observe(1, gen, "time_blocks", "vi", ["bk-1"])
    True
    >>> room.seat(1).step.key, room.seat(1).step_number
    ('day', 4)
    >>> room.reset(1).cancelled, cancelled, room.seat(1).state
    (('bk-1',), ['bk-1'], 'language')
    >>> room.observe(1, gen, "confirm", "vi", ["bk-1"])   # the page had not seen the reset yet
    False
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kiosk.i18n import N_


@dataclass(frozen=True)
class Step:
    key: str
    label: str  # a message id
    states: tuple[str, ...]


# The steps a volunteer follows, in order; each groups the flow's states (kiosk/flow/states.py).
STEPS: tuple[Step, ...] = (
    Step("language", N_("Choosing a language"), ("language",)),
    Step("start", N_("Start screen"), ("home",)),
    Step("place", N_("Choosing a place"), ("category", "unit")),
    Step("day", N_("Choosing a day and time"), ("calendar", "time_blocks")),
    Step("identify", N_("Identifying (card or name)"),
         ("identify", "guest_name", "guest_phone", "guest_residency", "card_insert", "card_pin",
          "card_reading", "card_consent", "card_failed")),
    Step("check", N_("Checking the booking"), ("confirm",)),
    Step("pay", N_("Paying"), ("pay_choice", "paying", "pay_failed", "counter")),
    Step("done", N_("Done: booking number shown"), ("done", "receipt")),
    Step("my_bookings", N_("My bookings"), ("my_lookup", "my_booking", "my_cancel", "my_cancelled")),
)
_BY_STATE = {state: (i, step) for i, step in enumerate(STEPS) for state in step.states}
BOOKING_STEPS = len(STEPS) - 1  # "My bookings" is a side trip, not a step of a booking


def step_of(state: str) -> tuple[int, Step]:
    """(1-based number, step) of a flow state; an unknown state counts as the start."""
    index, step = _BY_STATE.get(str(state), (0, STEPS[0]))
    return index + 1, step


class RoomError(KeyError):
    """No such seat in this room."""


@dataclass
class Seat:
    number: int
    state: str = "language"
    language: str | None = None
    generation: int = 0  # bumped by every reset
    sessions: int = 0  # browser sessions showing this seat now
    booking_ids: set[str] = field(default_factory=set)
    changed_at: float = 0.0

    @property
    def step(self) -> Step:
        return step_of(self.state)[1]

    @property
    def step_number(self) -> int:
        return step_of(self.state)[0]


@dataclass(frozen=True)
class ResetResult:
    seat: int
    cancelled: tuple[str, ...]
    failed: tuple[str, ...]  # left for the next reset (the server did not answer)


class Room:
    def __init__(self, seats: int, cancel: Callable[[str], bool],
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._cancel = cancel
        self._now = monotonic
        self._lock = threading.RLock()
        self.seats: dict[int, Seat] = {}
        self.version = 0  # bumped by every change: the volunteer page redraws on it
        self.on_change: Callable[[], None] | None = None  # kiosk/practice/room_store.py saves here
        self.unreadable = False  # a saved room could not be read: this one started fresh
        self.set_seat_count(seats)

    # -- seats ------------------------------------------------------------------------
    def set_seat_count(self, n: int) -> None:
        """Open seats 1..n. Seats above n go (reset first, so no booking is left)."""
        if n < 1:
            raise ValueError("a room has at least one seat")
        with self._lock:
            for number in [s for s in self.seats if s > n]:
                self.reset(number)
                del self.seats[number]
            for number in range(1, n + 1):
                self.seats.setdefault(number, Seat(number, changed_at=self._now()))
            self._bump()

    def seat(self, number: int) -> Seat:
        try:
            return self.seats[number]
        except KeyError:
            raise RoomError(number) from None

    def free_seat(self) -> int:
        """The lowest seat no browser shows (a learner who opened ``/``); else seat 1."""
        with self._lock:
            return next((n for n, s in sorted(self.seats.items()) if s.sessions == 0), min(self.seats))

    def attach(self, number: int) -> Seat:
        with self._lock:
            seat = self.seat(number)
            seat.sessions += 1
            self._bump()
            return seat

    def detach(self, number: int) -> None:
        with self._lock:
            seat = self.seats.get(number)
            if seat is not None and seat.sessions > 0:
                seat.sessions -= 1
                self._bump()

    # -- what a seat's page reports -----------------------------------------------------
    def observe(self, number: int, generation: int, state: str, language: str | None,
                booking_ids: Iterable[str] = ()) -> bool:
        """The seat's page drew ``state``; ``booking_ids`` are bookings its session holds.
        False (ignored) when the page has not yet caught up with a reset."""
        with self._lock:
            seat = self.seats.get(number)
            if seat is None or generation != seat.generation:
                return False
            new_ids = set(booking_ids) - seat.booking_ids
            if str(state) != seat.state or language != seat.language or new_ids:
                seat.state, seat.language = str(state), language
                seat.booking_ids |= new_ids
                seat.changed_at = self._now()
                self._bump()
            return True

    # -- the volunteer's reset -----------------------------------------------------------
    def reset(self, number: int) -> ResetResult:
        with self._lock:
            seat = self.seat(number)
            ids = sorted(seat.booking_ids)
            seat.generation += 1
            seat.state, seat.language = "language", None
            seat.changed_at = self._now()
            self._bump()
        cancelled, failed = [], []
        for booking_id in ids:  # outside the lock: HTTP to the practice server
            (cancelled if self._cancel(booking_id) else failed).append(booking_id)
        with self._lock:
            seat.booking_ids -= set(cancelled)
            self._bump()
        return ResetResult(number, tuple(cancelled), tuple(failed))

    def reset_all(self) -> list[ResetResult]:
        return [self.reset(n) for n in sorted(self.seats)]

    def _bump(self) -> None:
        self.version += 1
        if self.on_change is not None:  # under the lock: saves land in the order of changes
            self.on_change()


class VolunteerLock:
    """The volunteer page's code: compared in constant time; after ``max_failures`` wrong
    codes the page refuses every code for ``lockout_s`` seconds."""

    def __init__(self, code: str, *, max_failures: int = 5, lockout_s: float = 60.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._code = code.encode()
        self.max_failures = max_failures
        self.lockout_s = lockout_s
        self._now = monotonic
        self.failures = 0
        self.locked_until = 0.0

    @property
    def locked(self) -> bool:
        return self._now() < self.locked_until

    def check(self, code: str) -> bool:
        if self.locked:
            return False
        if hmac.compare_digest(code.strip().encode(), self._code):
            self.failures = 0
            return True
        self.failures += 1
        if self.failures >= self.max_failures:
            self.failures = 0
            self.locked_until = self._now() + self.lockout_s
        return False

"""The digits typed on a PIN pad so far, kept across redraws of the pad.

A change of text size or contrast redraws the whole screen; the digits live here (in
the session, in memory only) rather than in the view, so the person's place on the pad
is kept. They are never in a repr, a log line or a pickle (nothing of a session goes to
disk), and they go as soon as they are not needed: OK takes them (``take``), every move
to another screen clears the card pad's, closing the staff pad clears its own, and
finish, start over and the inactivity timeout clear both in place (``Session.reset``),
so a view still holding the object sees nothing.

>>> entry = PinEntry()
>>> for d in "1234":
...     entry.press(d, limit=4)
>>> entry.press("5", limit=4); entry.count, entry
(4, PinEntry(<4 digits>))
>>> entry.delete(); entry.take(), entry.count
('123', 0)
"""

from __future__ import annotations


class PinEntry:
    __slots__ = ("_digits",)

    def __init__(self) -> None:
        self._digits: list[str] = []

    @property
    def count(self) -> int:
        return len(self._digits)

    def press(self, digit: str, *, limit: int) -> None:
        """One more digit, unless ``limit`` are typed (or it is not a digit key)."""
        if len(digit) == 1 and digit in "0123456789" and len(self._digits) < limit:
            self._digits.append(digit)

    def delete(self) -> None:
        if self._digits:
            self._digits.pop()

    def clear(self) -> None:
        self._digits.clear()

    def take(self) -> str:
        """The PIN typed, for the one check it is typed for; the entry is empty after."""
        pin = "".join(self._digits)
        self._digits.clear()
        return pin

    def __eq__(self, other: object) -> bool:  # a fresh session equals another fresh one
        return isinstance(other, PinEntry) and self._digits == other._digits

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"PinEntry(<{len(self._digits)} digits>)"

    def __getstate__(self):
        raise TypeError("PIN digits are never pickled or stored")

"""Work a person's tap starts that must not block the page: a blocking ``wait`` the
page runs on a worker thread, and a ``finish`` it then runs back on its event loop.

An action (``Action.run``) may return a ``Pending``; ``KioskPage.run`` draws the screen
at once (which says what is under way) and settles the pending work off the loop, so
the page keeps drawing, countdowns keep ticking and other sessions keep going. Callers
with no loop to keep free (flow tests, scripts) call ``settle()``.

Used by "Book it" (the server's answer, kiosk/flow/confirming.py) and by printing a
receipt (a network printer may take seconds to answer, kiosk/flow/payment.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Pending:
    wait: Callable[[], object]  # blocking, thread-safe: touches no session or cache
    finish: Callable[[object], None]  # on the page's loop, with what ``wait`` returned

    def settle(self) -> None:
        """Wait here and finish."""
        self.finish(self.wait())

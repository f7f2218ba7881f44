"""Keep the screen in step with the sync link, on the page's own event loop.

Sync runs on background threads; the session and the Flet page belong to the page's
event loop. So a booking outcome (the server confirmed or refused a provisional
booking) never touches the page from the sync thread: the callback only schedules
``_on_outcome_loop`` onto the loop with ``page.run_task`` (thread-safe), and that
re-renders the done screen if it still shows that booking. Link status and new
availability are noticed by a light poll on the loop itself.
"""

from __future__ import annotations

import asyncio
import logging

from kiosk.flow.states import State

log = logging.getLogger(__name__)

# Screens with typed-but-unsent text are never re-rendered from outside: it would be lost.
NO_REFRESH = frozenset({State.GUEST_NAME, State.GUEST_PHONE, State.CARD_PIN})
# Screens that show availability: re-rendered when the cache pulled something new.
AVAILABILITY = frozenset({State.CALENDAR, State.TIME_BLOCKS})


class LiveRefresh:
    def __init__(self, kiosk_page, poll_s: float = 0.5) -> None:
        self.kiosk = kiosk_page
        self.flow = kiosk_page.flow
        self.poll_s = poll_s
        self._seen = self._fingerprint()
        self._closed = False
        link = self.flow.link
        if link is not None:
            link.subscribe(self._on_outcome)

    # -- outcome callback: runs on a sync thread -------------------------------------
    def _on_outcome(self, outcome) -> None:
        if self._closed:
            return
        try:
            self.kiosk.page.run_task(self._on_outcome_loop, getattr(outcome, "booking_id", None))
        except Exception:  # the page went away meanwhile
            log.debug("outcome not scheduled: page gone")

    async def _on_outcome_loop(self, booking_id: str | None) -> None:
        booking = self.flow.session.booking
        if self._closed or self.flow.state is not State.DONE or booking is None or booking.id != booking_id:
            return
        self.kiosk.render()

    # -- the poll: runs on the loop ----------------------------------------------------
    def _fingerprint(self) -> tuple:
        state = self.flow.state
        cursor = self.flow.cache.sync_state().cursor if state in AVAILABILITY else None
        from kiosk.flow.assist import assist_of

        return (bool(self.flow.online()), state, cursor, assist_of(self.flow).call_status())

    def check(self) -> bool:
        """Re-render if what the screen shows from the link changed. True if it did."""
        seen, self._seen = self._seen, self._fingerprint()
        if seen == self._seen or seen[1] != self._seen[1] or self.flow.state in NO_REFRESH \
                or self.flow.session.assist.pin_open:  # staff typing the PIN: keep their digits
            return False  # unchanged, or the person moved on (their action rendered)
        self.kiosk.render()
        return True

    async def watch(self) -> None:
        while not self._closed and not self.kiosk.closed:
            await asyncio.sleep(self.poll_s)
            try:
                self.check()
            except Exception:
                log.exception("live refresh failed")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        link = self.flow.link
        if link is not None:
            link.unsubscribe(self._on_outcome)

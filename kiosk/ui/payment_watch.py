"""While a person pays, keep the screen in step with the payment, on the page's loop.

Every half second: keep the inactivity timer quiet while the QR code waits (the person
is busy with their phone); once a second ask the server about the payment on a worker
thread (``PaymentFlow.fetch``) and apply the answer on the loop (``apply``); re-render
when the screen changes or the countdown's words do.
"""

from __future__ import annotations

import asyncio
import logging

import flet as ft

from kiosk.flow.states import State

log = logging.getLogger(__name__)


class PaymentWatch:
    def __init__(self, kiosk_page, tick_s: float = 0.5) -> None:
        self.kiosk = kiosk_page
        self.pay = kiosk_page.flow.pay
        self.tick_s = tick_s
        self._countdown: tuple[State, int] | None = None

    async def step(self) -> bool:
        """One round; True when it re-rendered."""
        flow = self.kiosk.flow
        if self.pay.keeps_awake():
            self.kiosk.timer.touch()
        changed = False
        if self.pay.wants_poll():
            result = await asyncio.to_thread(self.pay.fetch)
            changed = self.pay.apply(result)
        seen = (flow.state, self.pay.seconds_left()) if flow.state is State.PAYING else None
        if changed or (seen is not None and seen != self._countdown):
            was, self._countdown = self._countdown, seen
            # Only the seconds moved: change the countdown's words in place. A full render
            # every second would scroll the screen back to the top under a person who
            # scrolled down to "Stop paying" at a large text size.
            if not changed and was is not None and was[1] > 0 and seen[1] > 0 and self._tick_words():
                return False
            self.kiosk.render()
            return True
        return False

    def _tick_words(self) -> bool:
        """Put the countdown's new words into the shown text; False if it is not shown."""
        page = getattr(self.kiosk, "page", None)
        node = _find(page.controls, "countdown") if page is not None else None
        shown = getattr(node, "content", None)
        if not isinstance(shown, ft.Text):
            return False
        from kiosk.flow.payment_screens import countdown_words

        shown.value = countdown_words(self.kiosk.flow, self.pay.seconds_left())
        try:
            shown.update()
        except Exception:  # not on the page any more: draw the screen instead
            return False
        return True

    async def watch(self) -> None:
        while not self.kiosk.closed:
            await asyncio.sleep(self.tick_s)
            try:
                await self.step()
            except Exception:
                log.exception("payment watch failed")


def _find(controls, identifier: str):
    """The ``ft.Semantics`` with this identifier in a control tree, or None."""
    for control in controls or ():
        if isinstance(control, ft.Semantics) and control.identifier == identifier:
            return control
        children = [getattr(control, "content", None), *(getattr(control, "controls", None) or ())]
        found = _find([c for c in children if isinstance(c, ft.Control)], identifier)
        if found is not None:
            return found
    return None

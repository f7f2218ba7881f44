"""One browser session: its own flow, the error boundary and the inactivity watch."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable

import flet as ft

from kiosk.flow import messages as M
from kiosk.flow.pending import Pending
from kiosk.flow.flow import KioskFlow
from kiosk.flow.inactivity import InactivityTimer, Phase
from kiosk.flow.states import State
from kiosk.ui import call_staff, display_settings, practice_band
from kiosk.ui import theme as T
from kiosk.ui.screens import view_for
from kiosk.ui.widgets import big_button, text
from kiosk.flow.viewmodels import Action

log = logging.getLogger(__name__)


class KioskPage:
    def __init__(self, page: ft.Page, flow: KioskFlow, *, timeout_s: float, warning_s: float,
                 tick_s: float = 0.5) -> None:
        self.page = page
        self.flow = flow
        self.timer = InactivityTimer(timeout_s, warning_s)
        self.tick_s = tick_s
        self.dialog: ft.AlertDialog | None = None
        self.countdown: ft.Text | None = None
        self.closed = False

    # -- rendering -------------------------------------------------------------------
    def start(self) -> None:
        from kiosk.ui.live import LiveRefresh

        self.render()
        self.flow.subscribe(self._flow_changed)
        self.page.run_task(self._watch_inactivity)
        self.live = LiveRefresh(self)  # sync outcomes and link status, on this loop
        self.page.run_task(self.live.watch)
        from kiosk.ui.payment_watch import PaymentWatch

        self.page.run_task(PaymentWatch(self).watch)  # a payment in progress, its countdown

    def _flow_changed(self, activity: bool = True) -> None:
        """The flow moved by itself (the card reader): draw it again."""
        if self.closed:
            return
        if activity:
            self.timer.touch()
        self.render()

    def render(self) -> None:
        # The language's fonts and font chain; the language screen needs only its own few.
        display_settings.speak(self.page, self.flow,
                               None if self.flow.state is State.LANGUAGE else self.flow.t.code)
        try:
            content = view_for(self.flow.screen(), self.run, self.timer.touch)
        except Exception as exc:  # a broken screen must not strand the person
            self._log_failure("render", exc)
            self.flow.session.state = State.LANGUAGE if self.flow.state is State.LANGUAGE else self.flow.state
            content = self._error_content()
        self.page.controls = [ft.SafeArea(practice_band.wrap(self, content), expand=True)]
        display_settings.sync(self)  # the text size and colours panel, if open
        self.page.update()

    def _error_content(self) -> ft.Control:
        t = self.flow.t
        return ft.Column([
            text(t(M.ERROR_TITLE), T.TITLE, bold=True),
            text(t(M.ERROR_MESSAGE), T.BODY),
            text(t(M.CALL_STAFF), T.BODY, bold=True),
            big_button(Action("start_over", t(M.START_OVER), self.flow.start_over), self.run, width=320),
            *[b for b in [call_staff.dialog_button(self, "error", lambda: None)] if b is not None],
        ], spacing=T.GAP)

    # -- the error boundary ---------------------------------------------------------
    def run(self, action: Callable[[], object], action_id: str = "") -> None:
        """Run a person's action; whatever fails, they see a plain message, not a trace."""
        self.timer.touch()
        try:
            result = action()
        except Exception as exc:
            self._log_failure(action_id, exc)
            self.render()
            self._show_error()
            return
        self.render()
        if isinstance(result, Pending):  # e.g. "Book it": the server's answer
            self.page.run_task(self._settle, result, action_id)

    async def _settle(self, pending: Pending, action_id: str) -> None:
        """Wait off the event loop (other sessions and this one's countdowns keep
        going), then finish the action on it, inside the error boundary."""
        try:
            outcome = await asyncio.to_thread(pending.wait)
        except Exception as exc:  # pending work reports its own failures; this is a bug
            self._log_failure(f"{action_id}-wait", exc)
            outcome = None
        if not self.closed:
            self.run(lambda: pending.finish(outcome), f"{action_id}-answer")

    def _log_failure(self, where: str, exc: BaseException) -> None:
        # The exception text could carry what the person typed: log its type and where
        # it happened, never its message or any session data.
        tb = "".join(traceback.format_tb(exc.__traceback__))
        log.error("kiosk action %r failed in state %s: %s\n%s", where, self.flow.state.value,
                  type(exc).__name__, tb)

    def _show_error(self) -> None:
        display_settings.speak(self.page, self.flow, self.flow.t.code)
        t = self.flow.t
        dialog = ft.AlertDialog(
            modal=True, actions_overflow_button_spacing=T.GAP,  # stacked at large text
            title=text(t(M.ERROR_TITLE), T.HEADLINE, bold=True),
            content=ft.Column([text(t(M.ERROR_MESSAGE), T.BODY), text(t(M.CALL_STAFF), T.BODY)],
                              tight=True, spacing=12),
            actions=[_spaced(big_button(Action("error-ok", t(M.OK), lambda: None),
                                        lambda fn, _id: self._close_dialog(), width=200),
                             call_staff.dialog_button(self, "error", self._close_dialog))],
        )
        self.page.show_dialog(dialog)

    def _close_dialog(self) -> None:
        self.timer.touch()
        try:
            self.page.pop_dialog()
        except Exception:  # already gone
            pass

    # -- inactivity ------------------------------------------------------------------
    async def _watch_inactivity(self) -> None:
        while not self.closed:
            await asyncio.sleep(self.tick_s)
            try:
                self._tick()
            except Exception as exc:
                self._log_failure("inactivity", exc)

    def _tick(self) -> None:
        if self.flow.state is State.LANGUAGE and self.dialog is None:
            self.timer.touch()  # nothing to protect on the first screen
            return
        status = self.timer.status()
        if status.phase is Phase.ACTIVE:
            if self.dialog is not None:
                self._hide_warning()
            return
        if status.phase is Phase.WARNING:
            self._show_warning(status.seconds_left)
            return
        self._hide_warning()
        self.flow.timeout()
        self.timer.touch()
        self.render()

    def _countdown_text(self, seconds: int) -> str:
        t = self.flow.t
        return t.ngettext(*M.TIMEOUT_COUNTDOWN, seconds)

    def _show_warning(self, seconds: int) -> None:
        if self.dialog is not None and self.countdown is not None:
            self.countdown.value = self._countdown_text(seconds)
            self.countdown.update()
            return
        display_settings.speak(self.page, self.flow, self.flow.t.code)
        t = self.flow.t
        self.countdown = text(self._countdown_text(seconds), T.BODY)
        self.dialog = ft.AlertDialog(
            modal=True, actions_overflow_button_spacing=T.GAP,  # stacked at large text
            title=text(t(M.TIMEOUT_TITLE), T.HEADLINE, bold=True),
            content=ft.Semantics(identifier="timeout-countdown", live_region=True,
                                 content=self.countdown),
            actions=[_spaced(big_button(Action("more-time", t(M.TIMEOUT_MORE_TIME), self.timer.touch),
                                        lambda fn, _id: self._more_time(), width=420),
                             call_staff.dialog_button(self, "timeout", self._more_time))],
        )
        self.page.show_dialog(self.dialog)

    def _more_time(self) -> None:
        self.timer.touch()
        self._hide_warning()

    def _hide_warning(self) -> None:
        if self.dialog is None:
            return
        self.dialog = None
        self.countdown = None
        self._close_dialog()

    def close(self) -> None:
        """The browser went away: wipe the session and stop watching."""
        self.closed = True
        if getattr(self, "live", None) is not None:
            self.live.close()
        self.flow.wipe()


def _spaced(*buttons: ft.Control | None) -> ft.Control:
    """A dialog's buttons with the kiosk's gap between them (a dialog's own actions
    touch each other when they wrap), wrapping onto more lines at larger text."""
    return ft.Row([b for b in buttons if b is not None], spacing=T.GAP, run_spacing=T.GAP, wrap=True,
                  alignment=ft.MainAxisAlignment.END)

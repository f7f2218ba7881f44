"""Assisted mode in the flow: calling staff and the helper view, per session.

``Assist`` is attached to a ``KioskFlow`` by the app (``attach``) with the kiosk's
``StaffCallSender`` and staff-PIN gate; a flow without one (tests, a kiosk with no
central server) gets ``NoStaffServer`` and no PIN (helper view not set up). What it
keeps per person lives in ``Session.assist`` and is wiped with the session: the next
person sees neither the call nor the helper view.

    assist = assist_of(flow)
    assist.call_staff()          # once: a second tap changes nothing
    assist.call_status()         # CallStatus.SENT / QUEUED (offline) / ACKNOWLEDGED ...
    assist.session_ended()       # the flow's wipe: an open call becomes "left"
    assist.open_pin(); assist.submit_pin("2468")   # helper view on
    assist.leave_helper()
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from kiosk.flow.pin_entry import PinEntry
from kiosk.flow.staff_pin import PinGate, PinResult
from kiosk.flow.states import State
from kiosk.staff_calls import CallStatus, NoStaffServer, StaffCall

log = logging.getLogger(__name__)

CONTEXTS = ("screen", "error", "timeout")


@dataclass
class AssistSession:
    """One person's assisted-mode state (a field of ``Session``: wiped with it)."""

    call_id: str | None = None
    call_screen: str = ""
    call_cancelled: bool = False  # say "the call is cancelled" until the next call
    helper: bool = False
    pin_open: bool = False
    pin_result: PinResult | None = None
    # the staff PIN pad's digits so far (kept while the pad is redrawn); cleared when it closes
    staff_pin: PinEntry = field(default_factory=PinEntry, repr=False)


class Assist:
    def __init__(self, flow, calls=None, gate: PinGate | None = None, *, wait_s: float = 1.5) -> None:
        self.flow = flow
        self.calls = calls if calls is not None else NoStaffServer()
        self.gate = gate if gate is not None else PinGate(None)
        self.wait_s = wait_s  # how long a tap waits for the server to have the call

    @property
    def session(self) -> AssistSession:
        return self.flow.session.assist

    # -- calling staff -----------------------------------------------------------------
    def call_staff(self, context: str = "screen") -> None:
        """Raise a call for this kiosk and screen (nothing about the person). While a
        call is open, calling again changes nothing."""
        if context not in CONTEXTS:
            raise ValueError(f"unknown call context {context!r}")
        a = self.session
        if self.call_open():
            return
        state = self.flow.state
        a.call_id = uuid.uuid4().hex  # made here: a resend is the same call
        a.call_screen = state.value
        a.call_cancelled = False
        language = None if state is State.LANGUAGE else self.flow.t.code
        self.calls.send(StaffCall(a.call_id, state.value, context, language))
        log.info("staff call raised at screen %s (%s)", state.value, context)
        self.calls.wait_delivered(a.call_id, self.wait_s)

    def cancel_call(self) -> None:
        a = self.session
        if a.call_id is None:
            return
        self.calls.cancel(a.call_id)
        a.call_id = None
        a.call_cancelled = True

    def session_ended(self) -> None:
        """The person's session ends (finish, start over, the inactivity wipe, the browser
        gone) with a call open: mark it ``left`` so staff do not walk to an empty kiosk.
        The sender keeps the mark queued while the server cannot be reached."""
        a = self.session
        if a.call_id is not None and self.call_open():
            self.calls.left(a.call_id)
            log.info("staff call marked left: the session ended at screen %s", self.flow.state.value)

    def call_status(self) -> CallStatus | None:
        a = self.session
        if a.call_id is None:
            return None
        return self.calls.status(a.call_id)

    def call_open(self) -> bool:
        return self.call_status() not in (None, CallStatus.CANCELLED, CallStatus.CLOSED, CallStatus.LEFT)

    # -- helper view -------------------------------------------------------------------
    @property
    def helper(self) -> bool:
        return self.session.helper

    def open_pin(self) -> None:
        a = self.session
        a.pin_open = True
        a.pin_result = None if self.gate.set_up else PinResult.NOT_SET_UP
        a.staff_pin.clear()

    def close_pin(self) -> None:
        self.session.pin_open = False
        self.session.pin_result = None
        self.session.staff_pin.clear()

    def submit_pin(self, pin: str) -> None:
        """Check the staff PIN (rate limited per kiosk). The PIN is not kept anywhere."""
        result = self.gate.try_pin(pin)
        a = self.session
        if result is PinResult.OK:
            a.helper, a.pin_open, a.pin_result = True, False, None
            log.info("helper view on at screen %s", self.flow.state.value)
        else:
            a.pin_result = result
            log.info("staff PIN refused (%s) at screen %s", result.value, self.flow.state.value)

    def leave_helper(self) -> None:
        self.session.helper = False
        self.session.pin_open = False
        self.session.staff_pin.clear()


def attach(flow, calls=None, gate: PinGate | None = None, **kwargs) -> Assist:
    """Give ``flow`` its assisted mode (the app does this once per browser session)."""
    flow.assist = Assist(flow, calls, gate, **kwargs)
    return flow.assist


def assist_of(flow) -> Assist:
    """The flow's assisted mode; a plain one (no server, no PIN) if none was attached."""
    found = getattr(flow, "assist", None)
    return found if found is not None else attach(flow)

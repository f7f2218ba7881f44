"""The kiosk session flow: state machine, session, view-models. No UI imports."""

from kiosk.flow.clock import Clock, FixedClock, SystemClock
from kiosk.flow.flow import FlowError, KioskFlow
from kiosk.flow.inactivity import InactivityStatus, InactivityTimer, Phase
from kiosk.flow.session import Session
from kiosk.flow.states import Event, IdentifyMethod, IllegalTransition, State

__all__ = [
    "Clock", "Event", "FixedClock", "FlowError", "IdentifyMethod", "IllegalTransition",
    "InactivityStatus", "InactivityTimer", "KioskFlow", "Phase", "Session", "State", "SystemClock",
]

"""Assisted mode wired into the kiosk app (docs/assisted.md).

One ``StaffCallSender`` and one staff-PIN gate per kiosk process, shared by its
browser sessions; ``attach_assist`` gives each session's flow its assisted mode.

- Calls go to the central server with this kiosk's own token (``kiosk_token_file``),
  like the sync link; without a server the person is told to ask at the counter.
- Helper view needs ``staff_pin_hash`` (``MADOGUCHI_STAFF_PIN_HASH``, made by
  ``python -m kiosk.tools.staff_pin``); without one it is switched off. ``python -m
  kiosk demo`` uses the documented demo PIN when none is configured.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.flow.staff_pin import DEMO_PIN_HASH, PinGate, gate_from_setting

log = logging.getLogger(__name__)


@dataclass
class AssistFeature:
    calls: object  # StaffCallSender | NoStaffServer
    gate: PinGate

    def close(self) -> None:
        self.calls.close()


def make_assist(config) -> AssistFeature:
    from kiosk.staff_calls import NoStaffServer, StaffCallSender

    token_file = config.kiosk_token_file
    if config.server_url and token_file is not None and token_file.is_file():
        calls = StaffCallSender(config.server_url, token_file.read_text().strip()).start()
    else:
        calls = NoStaffServer()
    try:
        gate = gate_from_setting(config.staff_pin_hash)
    except ValueError as exc:  # a malformed setting: helper view off, the kiosk still serves
        log.error("staff_pin_hash: %s; helper view is off", exc)
        gate = PinGate(None)
    if not gate.set_up:
        log.warning("no staff PIN configured (MADOGUCHI_STAFF_PIN_HASH): helper view is off")
    elif config.staff_pin_hash == DEMO_PIN_HASH:
        log.warning("helper view uses the demo staff PIN: set MADOGUCHI_STAFF_PIN_HASH on a real kiosk")
    return AssistFeature(calls, gate)


def attach_assist(flow, feature: AssistFeature) -> None:
    from kiosk.flow.assist import attach

    attach(flow, feature.calls, feature.gate)


def demo_staff_pin(config):
    """A demo companion: the documented demo PIN unless a hash is configured."""
    if config.staff_pin_hash:
        return config, None
    return config.with_values({"staff_pin_hash": DEMO_PIN_HASH}), None

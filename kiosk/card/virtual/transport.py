"""An in-process ``ApduTransport`` over the virtual card model, for fast unit tests
and practice mode without any reader."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.card.errors import CardRemoved
from kiosk.card.virtual.model import VirtualMyNumberCard


class LocalTransport:
    def __init__(self, card: VirtualMyNumberCard):
        self.card = card
        self.present = True
        self.remove_when: Callable[[bytes], bool] | None = None

    def transmit(self, command: bytes) -> bytes:
        if not self.present:
            raise CardRemoved("virtual card removed")
        trigger = self.remove_when
        if trigger is not None and trigger(command):
            self.remove_when = None
            self.card.received.append(bytes(command))
            self.present = False
            raise CardRemoved("virtual card removed mid-command")
        return self.card.process(command)

"""The staff PIN that switches a kiosk into helper view: a salted hash, a rate limit.

The kiosk's configuration holds only ``scrypt$<salt hex>$<hash hex>``
(``python -m kiosk.tools.staff_pin`` makes one); the PIN itself is never stored or
logged. Wrong PINs are counted per kiosk process, not per session, so starting over
does not buy more tries.

>>> line = hash_pin("2468", salt=bytes(16))
>>> line.startswith("scrypt$00000000"), StaffPin(line).check("2468"), StaffPin(line).check("1357")
(True, True, False)
>>> StaffPin("plain-text-pin")
Traceback (most recent call last):
...
ValueError: a staff PIN hash looks like scrypt$<salt hex>$<hash hex> (python -m kiosk.tools.staff_pin)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# scrypt at n=2**14, r=8: about 50 ms a try here, 16 MB of memory; a guesser who took
# the configuration file pays that per guess, the kiosk's rate limit bounds the rest.
_N, _R, _P = 2**14, 8, 1
MIN_DIGITS, MAX_DIGITS = 4, 8

# The demo's PIN (documented in docs/assisted.md). `python -m kiosk demo` uses it when
# no hash is configured; `serve` has helper view switched off until one is.
DEMO_PIN = "2468"


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    if not (pin.isdigit() and pin.isascii() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
        raise ValueError(f"a staff PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


DEMO_PIN_HASH = hash_pin(DEMO_PIN, salt=b"madoguchi demo")


class StaffPin:
    """A configured staff PIN (its hash); ``check`` compares in constant time."""

    def __init__(self, line: str) -> None:
        parts = line.strip().split("$")
        try:
            if len(parts) != 3 or parts[0] != "scrypt":
                raise ValueError
            self._salt, self._digest = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            raise ValueError("a staff PIN hash looks like scrypt$<salt hex>$<hash hex>"
                             " (python -m kiosk.tools.staff_pin)") from None

    def check(self, pin: str) -> bool:
        if not (pin.isdigit() and pin.isascii() and MIN_DIGITS <= len(pin) <= MAX_DIGITS):
            return False
        digest = hashlib.scrypt(pin.encode(), salt=self._salt, n=_N, r=_R, p=_P, dklen=32)
        return hmac.compare_digest(digest, self._digest)

    def __repr__(self) -> str:
        return "StaffPin(<hash>)"


class PinResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"  # too many wrong PINs: not even checked
    NOT_SET_UP = "not_set_up"  # this kiosk has no staff PIN configured


@dataclass
class PinGate:
    """A staff PIN with a rate limit: after ``max_failures`` wrong PINs in a row, no PIN
    is checked for ``lockout_s`` seconds (doubling with each lockout, up to
    ``max_lockout_s``). One per kiosk process, shared by its sessions.

    >>> now = [0.0]
    >>> gate = PinGate(StaffPin(hash_pin("2468", bytes(16))), max_failures=2, lockout_s=30,
    ...                monotonic=lambda: now[0])
    >>> [gate.try_pin(p).value for p in ("1111", "2222", "2468")]
    ['wrong', 'wrong', 'locked']
    >>> now[0] = 31; gate.try_pin("2468").value
    'ok'
    """

    pin: StaffPin | None
    max_failures: int = 3
    lockout_s: float = 30.0
    max_lockout_s: float = 900.0
    monotonic: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures = 0
        self._lockouts = 0
        self._locked_until = 0.0

    @property
    def set_up(self) -> bool:
        return self.pin is not None

    def try_pin(self, pin: str) -> PinResult:
        if self.pin is None:
            return PinResult.NOT_SET_UP
        with self._lock:
            if self.monotonic() < self._locked_until:
                return PinResult.LOCKED
            if self.pin.check(pin):
                self._failures = self._lockouts = 0
                return PinResult.OK
            self._failures += 1
            if self._failures >= self.max_failures:
                self._failures = 0
                self._locked_until = self.monotonic() + min(self.max_lockout_s,
                                                            self.lockout_s * 2 ** self._lockouts)
                self._lockouts += 1
            return PinResult.WRONG


def gate_from_setting(line: str | None) -> PinGate:
    """The kiosk's gate from its ``staff_pin_hash`` setting (None: helper view off)."""
    return PinGate(StaffPin(line) if line else None)

"""pyscard (pcsc-lite) underneath the reader service: contexts, reader states, and the
``PcscTransport`` that carries APDUs to a connected card.

Everything here blocks; ``reader.ReaderService`` calls it from its worker threads only.
pcsc-lite contexts must not be shared between threads, so each thread owns one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from smartcard import scard

from kiosk.card.errors import CardError, CardRemoved, NoReader

PNP = "\\\\?PnP?\\Notification"
_SERVICE_GONE = {
    scard.SCARD_E_NO_SERVICE,
    scard.SCARD_E_SERVICE_STOPPED,
    scard.SCARD_E_INVALID_HANDLE,
    scard.SCARD_F_COMM_ERROR,
}
_CARD_GONE = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD}
_READER_GONE = {scard.SCARD_E_READER_UNAVAILABLE, scard.SCARD_E_UNKNOWN_READER}


def _u(hr: int) -> int:
    return hr & 0xFFFFFFFF


def _is(hr: int, codes: set[int]) -> bool:
    return _u(hr) in {_u(c) for c in codes}


class ServiceDown(Exception):
    """pcscd is not reachable (not running, restarted, or stopped)."""


class ReadersChanged(Exception):
    """A reader went away (or was cancelled) while waiting: list the readers again."""


@dataclass(frozen=True, slots=True)
class ReaderSnapshot:
    name: str
    present: bool  # a card sits in the reader (and answers: not mute)


class PcscContext:
    """One pcsc-lite context, used from one thread."""

    def __init__(self) -> None:
        hr, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hr != scard.SCARD_S_SUCCESS:
            raise ServiceDown(scard.SCardGetErrorMessage(hr))
        self.handle = ctx
        self._known: dict[str, int] = {}

    def close(self) -> None:
        try:
            scard.SCardReleaseContext(self.handle)
        except Exception:  # the daemon may already be gone
            pass

    def readers(self) -> list[str]:
        hr, readers = scard.SCardListReaders(self.handle, [])
        if _is(hr, {scard.SCARD_E_NO_READERS_AVAILABLE}):
            return []
        if _is(hr, _SERVICE_GONE) or hr != scard.SCARD_S_SUCCESS:
            raise ServiceDown(scard.SCardGetErrorMessage(hr))
        return list(readers)

    def wait_for_change(self, readers: list[str], timeout_ms: int) -> list[ReaderSnapshot]:
        """Block up to ``timeout_ms`` for a card or reader change; the current states."""
        states = [(r, self._known.get(r, scard.SCARD_STATE_UNAWARE)) for r in readers]
        # pcsc-lite signals reader (un)plugging on this pseudo reader; its state carries
        # the reader count in the high word.
        states.append((PNP, len(readers) << 16))
        hr, result = scard.SCardGetStatusChange(self.handle, timeout_ms, states)
        if _is(hr, {scard.SCARD_E_TIMEOUT}):
            result = [(r, self._known.get(r, 0), []) for r, _ in states]
        elif _is(hr, _READER_GONE | {scard.SCARD_E_CANCELLED}):
            # Not a snapshot of every reader here: the caller filters which readers it
            # watches, so it must list (and filter) them again itself.
            self._known = {}
            raise ReadersChanged(scard.SCardGetErrorMessage(hr))
        elif _is(hr, _SERVICE_GONE) or hr != scard.SCARD_S_SUCCESS:
            raise ServiceDown(scard.SCardGetErrorMessage(hr))
        out = []
        for name, event, _atr in result:
            if name == PNP:
                continue
            self._known[name] = event & ~scard.SCARD_STATE_CHANGED
            out.append(ReaderSnapshot(name, _present(event)))
        return out

    def snapshot(self, readers: list[str]) -> list[ReaderSnapshot]:
        if not readers:
            return []
        hr, result = scard.SCardGetStatusChange(self.handle, 0, [(r, scard.SCARD_STATE_UNAWARE) for r in readers])
        if _is(hr, _SERVICE_GONE):
            raise ServiceDown(scard.SCardGetErrorMessage(hr))
        if hr != scard.SCARD_S_SUCCESS:
            return [ReaderSnapshot(r, False) for r in readers]
        for name, event, _atr in result:
            self._known[name] = event & ~scard.SCARD_STATE_CHANGED
        return [ReaderSnapshot(name, _present(event)) for name, event, _atr in result]

    def card_present(self, reader: str) -> bool:
        try:
            return any(s.present for s in self.snapshot([reader]))
        except ServiceDown:
            return False

    def connect(self, reader: str) -> "PcscTransport":
        hr, hcard, protocol = scard.SCardConnect(
            self.handle, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
        )
        if _is(hr, _CARD_GONE | {scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_W_UNRESPONSIVE_CARD}):
            raise CardRemoved(f"connect: {scard.SCardGetErrorMessage(hr)}")
        if _is(hr, _SERVICE_GONE | _READER_GONE):
            raise NoReader(f"connect: {scard.SCardGetErrorMessage(hr)}")
        if hr != scard.SCARD_S_SUCCESS:
            raise CardError(f"connect: {scard.SCardGetErrorMessage(hr)}")
        return PcscTransport(self, reader, hcard, protocol)


def _present(event: int) -> bool:
    return bool(event & scard.SCARD_STATE_PRESENT) and not event & scard.SCARD_STATE_MUTE


class PcscTransport:
    """``ApduTransport`` over a connected card. Removal maps to ``CardRemoved``."""

    def __init__(self, context: PcscContext, reader: str, hcard: int, protocol: int):
        self._ctx, self.reader, self._hcard, self._protocol = context, reader, hcard, protocol
        self._open = True

    def transmit(self, command: bytes) -> bytes:
        if not self._open:
            raise CardRemoved("connection closed")
        hr, response = scard.SCardTransmit(self._hcard, self._protocol, list(command))
        if hr == scard.SCARD_S_SUCCESS and len(response) >= 2:
            return bytes(response)
        # vpcd (and some real readers) report a card pulled out mid-command as a
        # "successful" empty response.
        message = scard.SCardGetErrorMessage(hr) if hr != scard.SCARD_S_SUCCESS else "empty response"
        if _is(hr, _CARD_GONE):
            raise CardRemoved(f"transmit: {message}")
        if _is(hr, _SERVICE_GONE | _READER_GONE):
            raise NoReader(f"transmit: {message}")
        # A card pulled out mid-command often shows first as a failed transfer; the
        # reader state tells us within a fraction of a second whether it is gone.
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            if not self._ctx.card_present(self.reader):
                raise CardRemoved(f"transmit: {message}")
            time.sleep(0.05)
        raise CardError(f"transmit: {message}")

    def close(self) -> None:
        """Disconnect and reset the card, so no verified PIN outlives this session."""
        if self._open:
            self._open = False
            try:
                scard.SCardDisconnect(self._hcard, scard.SCARD_RESET_CARD)
            except Exception:
                pass

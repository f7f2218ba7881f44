"""The card part of the kiosk flow: a view-model and the async service driving it.

    session = CardSession(readers, CardPurpose.FORM_FILL, resident_address_prefixes=city.resident_address_prefixes)
    session.subscribe(lambda view: repaint(view))
    await session.wait_for_card(timeout=120)     # -> PIN_ENTRY (tries_left) or FAILED
    await session.submit_pin("1234")             # -> DONE (view.result) / PIN_ENTRY (wrong PIN) / FAILED
    session.wipe()                               # end of the resident's session

Every step and failure maps to one English message marked with ``N_`` (``view.message``
plus ``view.params``), so the UI only translates and shows. The PIN is passed straight
to the card thread and never stored on the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from cryptography import x509

from kiosk.card.apdu import ApduTransport
from kiosk.card.errors import (
    CARD_ERROR_MESSAGES,
    CardError,
    CardErrorCode,
    CardTimeout,
    InvalidPin,
    NotVerified,
    WrongPin,
)
from kiosk.card.jpki_verify import VerificationError, person_key, load_certificate, verify_authentication
from kiosk.card.mynumber import MyNumberCard, Pin, PinStatus, check_pin_format
from kiosk.card.reader import ReaderState, ReaderStatus
from kiosk.card.residency import residency_for
from kiosk.card.tlv import BasicFourItems
from kiosk.domain.model import Residency
from kiosk.i18n import N_

T = TypeVar("T")


class CardService(Protocol):
    """What a session needs from a reader: ``ReaderService`` or ``LocalCardService``."""

    @property
    def status(self) -> ReaderStatus: ...
    def changes(self) -> AsyncIterator[ReaderStatus]: ...
    async def run(self, conversation: Callable[[ApduTransport], T], timeout: float | None = 30.0) -> T: ...


class CardPurpose(StrEnum):
    FORM_FILL = "form_fill"  # card-info input support AP, its PIN: the basic four items
    AUTHENTICATE = "authenticate"  # JPKI user authentication, its PIN: certificate + signature


class CardStep(StrEnum):
    NO_READER = "no_reader"
    WAITING_FOR_CARD = "waiting_for_card"
    CHECKING = "checking"
    PIN_ENTRY = "pin_entry"
    READING = "reading"
    DONE = "done"
    FAILED = "failed"


STEP_MESSAGES: Mapping[CardStep, str] = {
    CardStep.NO_READER: CARD_ERROR_MESSAGES[CardErrorCode.NO_READER],
    CardStep.WAITING_FOR_CARD: N_("Please put your My Number card on the reader."),
    CardStep.CHECKING: N_("Checking your card. Please leave it on the reader."),
    CardStep.PIN_ENTRY: N_("Please enter your 4-digit PIN. Tries left on the card: {tries_left}"),
    CardStep.READING: N_("Reading your card. Please do not take it out."),
    CardStep.DONE: N_("Your card was read. Please take your card."),
    CardStep.FAILED: N_("The card could not be read."),
}
PIN_NAMES: Mapping[CardPurpose, str] = {
    CardPurpose.FORM_FILL: N_("PIN for filling in forms (券面事項入力補助用暗証番号, 4 digits)"),
    CardPurpose.AUTHENTICATE: N_("PIN for user authentication (利用者証明用電子証明書の暗証番号, 4 digits)"),
}


@dataclass(frozen=True)
class CardResult:
    """What the card gave. Personal data: repr is redacted."""

    purpose: CardPurpose
    holder: BasicFourItems | None = None  # FORM_FILL
    residency: Residency | None = None  # FORM_FILL: from the address
    person_key: str | None = None  # AUTHENTICATE: pseudonym from the certificate
    certificate_der: bytes | None = None  # AUTHENTICATE: for the server to verify
    challenge: bytes | None = None
    signature: bytes | None = None
    verified_offline: bool = False  # chain + dates + signature checked against cached CAs

    def __repr__(self) -> str:
        return f"CardResult({self.purpose}, <redacted>)"


@dataclass(frozen=True)
class CardView:
    step: CardStep
    purpose: CardPurpose
    tries_left: int | None = None
    progress: float = 0.0  # 0..1 while READING
    error: CardErrorCode | None = None  # set on FAILED, and on PIN_ENTRY after a wrong/invalid PIN
    params: Mapping[str, int | str] = field(default_factory=dict)
    result: CardResult | None = None

    @property
    def message(self) -> str:
        """The English msgid to translate with ``self.params``."""
        if self.error is not None:
            return CARD_ERROR_MESSAGES[self.error]
        return STEP_MESSAGES[self.step]

    @property
    def pin_name(self) -> str:
        return PIN_NAMES[self.purpose]


class _Progress:
    """Counts APDUs against an expected number to move a progress bar."""

    def __init__(self, inner: ApduTransport, expected: int, report: Callable[[float], None]):
        self._inner, self._expected, self._report, self._sent = inner, expected, report, 0

    def transmit(self, command: bytes) -> bytes:
        response = self._inner.transmit(command)
        self._sent += 1
        self._report(min(0.95, self._sent / self._expected))
        return response


class CardSession:
    def __init__(
        self,
        service: CardService,
        purpose: CardPurpose = CardPurpose.FORM_FILL,
        resident_address_prefixes: Sequence[str] = (),
        trusted_cas: Sequence[x509.Certificate] = (),
        now: Callable[[], datetime] = datetime.now,
        challenge: bytes | Callable[[], Awaitable[bytes]] | None = None,
        card_timeout: float = 30.0,
    ):
        self._service = service
        self._prefixes = tuple(resident_address_prefixes)
        self._trusted = tuple(trusted_cas)
        self._now = now
        self._challenge = challenge
        self._card_timeout = card_timeout
        self._listeners: list[Callable[[CardView], None]] = []
        self._watcher: asyncio.Task | None = None
        self._view = CardView(CardStep.WAITING_FOR_CARD, purpose)

    # --- view-model ------------------------------------------------------------------
    @property
    def view(self) -> CardView:
        return self._view

    @property
    def purpose(self) -> CardPurpose:
        return self._view.purpose

    def subscribe(self, listener: Callable[[CardView], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _set(self, view: CardView) -> CardView:
        self._view = view
        for listener in list(self._listeners):
            listener(view)
        return view

    def _fail(self, error: CardErrorCode, **params: int | str) -> CardView:
        self._stop_watching()
        return self._set(CardView(CardStep.FAILED, self.purpose, error=error, params=params))

    # --- steps -------------------------------------------------------------------------
    async def wait_for_card(self, timeout: float | None = None) -> CardView:
        """Wait for a card, check it is a My Number card and how many PIN tries it has.
        Ends in PIN_ENTRY, or FAILED (TIMEOUT, UNKNOWN_CARD, LAST_TRY, CARD_LOCKED...)."""
        self._stop_watching()
        self._set(CardView(CardStep.WAITING_FOR_CARD, self.purpose))

        async def card() -> ReaderStatus:
            async with contextlib.aclosing(self._service.changes()) as changes:
                async for status in changes:
                    if status.state is ReaderState.CARD_PRESENT:
                        return status
                    waiting = status.has_reader or status.state is ReaderState.STARTING
                    step = CardStep.WAITING_FOR_CARD if waiting else CardStep.NO_READER
                    if step is not self._view.step:
                        self._set(CardView(step, self.purpose))
            raise AssertionError("unreachable")

        try:
            await asyncio.wait_for(card(), timeout)
        except asyncio.TimeoutError:
            if self._view.step is CardStep.NO_READER:
                return self._fail(CardErrorCode.NO_READER)
            return self._fail(CardErrorCode.TIMEOUT)
        self._set(CardView(CardStep.CHECKING, self.purpose))
        pin = Pin.CARD_INFO if self.purpose is CardPurpose.FORM_FILL else Pin.JPKI_AUTH

        def check(transport: ApduTransport) -> PinStatus:
            card = MyNumberCard(transport)
            card.identify()
            return card.pin_status(pin)

        try:
            status = await self._service.run(check, timeout=self._card_timeout)
        except CardError as exc:
            return self._fail(exc.code, **exc.params)
        if status.locked:
            return self._fail(CardErrorCode.CARD_LOCKED)
        if status.last_try:
            return self._fail(CardErrorCode.LAST_TRY)
        self._watch_removal()
        return self._set(CardView(CardStep.PIN_ENTRY, self.purpose, tries_left=status.tries_left,
                                  params={"tries_left": status.tries_left}))

    async def submit_pin(self, pin: str) -> CardView:
        """Try the PIN once. Ends in DONE, PIN_ENTRY (wrong or malformed PIN) or FAILED."""
        if self._view.step is not CardStep.PIN_ENTRY:
            return self._view
        tries = self._view.tries_left
        try:
            check_pin_format(pin)
        except InvalidPin:
            return self._set(replace(self._view, error=CardErrorCode.INVALID_PIN, params={"tries_left": tries or 0}))
        self._set(CardView(CardStep.READING, self.purpose, tries_left=tries))
        loop = asyncio.get_running_loop()

        def report(fraction: float) -> None:
            loop.call_soon_threadsafe(self._progress, fraction)

        try:
            if self.purpose is CardPurpose.FORM_FILL:
                result = await self._read_items(pin, report)
            else:
                result = await self._authenticate(pin, report)
        except WrongPin as exc:
            if exc.tries_left <= 1:
                return self._fail(CardErrorCode.LAST_TRY)
            return self._set(CardView(CardStep.PIN_ENTRY, self.purpose, tries_left=exc.tries_left,
                                      error=CardErrorCode.WRONG_PIN, params={"tries_left": exc.tries_left}))
        except CardError as exc:
            return self._fail(exc.code, **exc.params)
        finally:
            del pin
        self._stop_watching()
        return self._set(CardView(CardStep.DONE, self.purpose, progress=1.0, result=result))

    def _progress(self, fraction: float) -> None:
        if self._view.step is CardStep.READING and fraction > self._view.progress:
            self._set(replace(self._view, progress=fraction))

    async def _read_items(self, pin: str, report: Callable[[float], None]) -> CardResult:
        items = await self._service.run(
            lambda t: MyNumberCard(_Progress(t, 9, report)).read_basic_four(pin), timeout=self._card_timeout
        )
        return CardResult(CardPurpose.FORM_FILL, holder=items, residency=residency_for(items.address, self._prefixes))

    async def _challenge_bytes(self) -> bytes:
        """The challenge to sign: fixed, fetched fresh (the central server's, right
        before signing, so it cannot expire while the person types), or random."""
        source = self._challenge
        if source is None:
            return os.urandom(32)
        if isinstance(source, bytes):
            return source
        return await source()

    async def _authenticate(self, pin: str, report: Callable[[float], None]) -> CardResult:
        challenge = await self._challenge_bytes()

        def conversation(t: ApduTransport) -> tuple[bytes, bytes]:
            card = MyNumberCard(_Progress(t, 12, report))
            signature = card.sign_challenge(pin, challenge)
            return card.read_auth_certificate(), signature

        cert_der, signature = await self._service.run(conversation, timeout=self._card_timeout)
        verified = False
        if self._trusted:
            try:
                identity = verify_authentication(cert_der, challenge, signature, self._trusted, self._now())
            except VerificationError as exc:
                raise NotVerified(str(exc)) from exc
            key, verified = identity.person_key, True
        else:
            try:
                key = person_key(load_certificate(cert_der))
            except VerificationError as exc:
                raise NotVerified(str(exc)) from exc
        return CardResult(CardPurpose.AUTHENTICATE, person_key=key, certificate_der=cert_der,
                          challenge=challenge, signature=signature, verified_offline=verified)

    # --- removal while waiting for the PIN ---------------------------------------------
    def _watch_removal(self) -> None:
        self._stop_watching()

        async def watch() -> None:
            async with contextlib.aclosing(self._service.changes()) as changes:
                async for status in changes:
                    if status.state is not ReaderState.CARD_PRESENT and self._view.step in (
                        CardStep.PIN_ENTRY, CardStep.READING
                    ):
                        code = CardErrorCode.CARD_REMOVED if status.has_reader else CardErrorCode.NO_READER
                        self._watcher = None  # finishing by ourselves
                        self._set(CardView(CardStep.FAILED, self.purpose, error=code))
                        return

        self._watcher = asyncio.get_running_loop().create_task(watch())

    def _stop_watching(self) -> None:
        task, self._watcher = self._watcher, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def wipe(self) -> None:
        """Forget everything about this person (end of session or inactivity)."""
        self._stop_watching()
        self._set(CardView(CardStep.WAITING_FOR_CARD, self.purpose))

    async def aclose(self) -> None:
        task, self._watcher = self._watcher, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.wipe()

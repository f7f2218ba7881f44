"""The My Number card in the kiosk flow: identify a person, fill the booking, decide
residency, without ever blocking the UI.

    IDENTIFY --"My Number card"--> CARD_INSERT --card ok--> CARD_PIN (user-auth PIN, 0018)
      --> CARD_READING: the card signs the server's challenge; the server verifies it
          registered holder  --> CONFIRM (name and residency from the server)
          first use/offline  --> CARD_CONSENT --agree--> CARD_INSERT --> CARD_PIN
                                 (card-info PIN, 0011) --> CARD_READING: the basic four
                                 items --> (registered with the server) --> CONFIRM
      any failure --> CARD_FAILED (a message for it; try again where that can help)
      "use without a card" --> GUEST_NAME, from every card screen

Everything slow runs as asyncio tasks on the UI's event loop (the reader's own threads
do the card I/O); each step calls ``flow.changed()`` so the page draws again. The PIN
goes from the PIN pad straight into ``CardSession.submit_pin`` and the VERIFY APDU: it
is never stored in the session, a view-model or a log. What the card said lives in
``session.card`` / ``session.guest`` and goes with the session (finish, start over,
inactivity, the browser closing): ``wipe()`` also stops every task that could still
write into it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from kiosk.card.errors import CardError, CardErrorCode, CardTimeout, InvalidPin, NotVerified
from kiosk.card.identity_client import IdentityClient, IdentityRefused, IdentityUnavailable, TrustCache
from kiosk.card.jpki_verify import VerificationError, verify_authentication
from kiosk.card.mynumber import check_pin_format
from kiosk.card.session import CardPurpose, CardResult, CardService, CardSession, CardStep, CardView
from kiosk.domain.model import Residency
from kiosk.flow import card_messages as CM
from kiosk.flow.messages import Notice
from kiosk.flow.session import CardHolder
from kiosk.flow.states import Event, IdentifyMethod, State

log = logging.getLogger(__name__)

CARD_STATES = (State.CARD_INSERT, State.CARD_PIN, State.CARD_READING, State.CARD_CONSENT, State.CARD_FAILED)
# Failures where putting the card down again can help; the others send the person to
# the city office or to staff, or to the guest path.
RETRYABLE = frozenset({
    CardErrorCode.CARD_REMOVED, CardErrorCode.TIMEOUT, CardErrorCode.NO_READER,
    CardErrorCode.CARD_ERROR, CardErrorCode.UNKNOWN_CARD, CardErrorCode.BAD_CARD_DATA,
})


@dataclass
class CardFeature:
    """The kiosk-wide part: one reader, one server client, one CA cache."""

    service: CardService
    identity: IdentityClient | None = None  # None: no central server, verify on the kiosk
    trust: TrustCache | None = None
    wait_timeout_s: float = 90.0  # the insert screen gives up after this (then: try again)
    card_timeout_s: float = 30.0  # one card conversation
    started: bool = field(default=False, init=False)  # kiosk.card_wiring.start_card_feature
    refresher: asyncio.Task | None = field(default=None, init=False, repr=False)  # keeps the CA cache fresh

    def for_flow(self, flow) -> "CardIdentify":
        return CardIdentify(flow, self)


class CardIdentify:
    """One session's card steps. Created by ``KioskFlow(card=CardFeature(...))``."""

    def __init__(self, flow, feature: CardFeature) -> None:
        self.flow = flow
        self.feature = feature
        self._card: CardSession | None = None
        self._task: asyncio.Task | None = None
        self._generation = 0  # bumped on every (re)start and wipe: late tasks see it and stop
        self._challenge_id: str | None = None
        self.checking_server = False  # CARD_READING: the card is done, the server is asked
        self.failure: tuple[CardErrorCode, Mapping[str, int | str]] | None = None

    # -- what the screens read ------------------------------------------------------
    @property
    def view(self) -> CardView | None:
        return self._card.view if self._card is not None else None

    @property
    def purpose(self) -> CardPurpose:
        return self._card.purpose if self._card is not None else CardPurpose.AUTHENTICATE

    # -- actions (UI thread) --------------------------------------------------------
    def choose(self) -> None:
        """IDENTIFY: "My Number card"."""
        self.flow._go(Event.SELECT_CARD)
        s = self.flow.session
        s.identify_method = IdentifyMethod.CARD
        s.card = CardHolder()
        self._start(CardPurpose.AUTHENTICATE)

    def submit_pin(self, pin: str) -> None:
        """The PIN pad's OK. The PIN is handed to the card task and not kept here."""
        if self.flow.state is not State.CARD_PIN or self._card is None:
            raise _not_now(self.flow.state)
        try:
            check_pin_format(pin)
        except InvalidPin:
            self.flow.session.notices = [Notice(CM.PIN_FOUR_DIGITS)]
            return
        self.flow._go(Event.SUBMIT_PIN)
        self.checking_server = False
        self._task = self._spawn(self._read(self._generation, self._card, pin))

    def consent(self) -> None:
        """CARD_CONSENT: the person agrees to the basic four items being read."""
        self.flow._go(Event.CARD_CONSENTED)
        self._start(CardPurpose.FORM_FILL)

    def retry(self) -> None:
        """CARD_FAILED: start the card part again (perhaps with another card)."""
        self.flow._go(Event.CARD_RETRY)
        self.flow.session.card = CardHolder()
        self._start(CardPurpose.AUTHENTICATE)

    def without_card(self) -> None:
        """Any card screen: "use without a card" -> the guest details."""
        self.flow._go(Event.CARD_WITHOUT)
        self.forget()
        self.flow.session.identify_method = IdentifyMethod.GUEST

    def back(self) -> None:
        if self.flow.state is State.CARD_READING:
            raise _not_now(self.flow.state)  # the card is being read: no half-done steps
        self.flow._go(Event.BACK)
        self.forget()

    def forget(self) -> None:
        """Leave the card path: stop the reader tasks, drop what the card said."""
        self.wipe()
        s = self.flow.session
        if s.card is not None:
            s.card = None
            s.guest.name, s.guest.residency = "", None
        if s.identify_method is IdentifyMethod.CARD:
            s.identify_method = None

    def wipe(self) -> None:
        """Stop every task and drop the card session (the flow wipes the session)."""
        self._generation += 1
        task, self._task = self._task, None
        if task is not None and not task.done() and task is not _current_task():
            task.cancel()
        card, self._card = self._card, None
        if card is not None:
            card.wipe()
        self._challenge_id = None
        self.checking_server = False
        self.failure = None

    # -- steps (tasks on the event loop) --------------------------------------------
    def _start(self, purpose: CardPurpose) -> None:
        self.wipe()
        generation = self._generation
        city = self.flow.cache.city()
        self._card = CardSession(
            self.feature.service, purpose,
            resident_address_prefixes=city.resident_address_prefixes,
            challenge=self._fetch_challenge,
            card_timeout=self.feature.card_timeout_s,
        )
        self._card.subscribe(lambda view: self._on_card_view(generation, view))
        self._task = self._spawn(self._wait_for_card(generation, self._card))

    @staticmethod
    def _spawn(coro) -> asyncio.Task:
        return asyncio.get_running_loop().create_task(coro)

    def _live(self, generation: int) -> bool:
        return generation == self._generation

    def _on_card_view(self, generation: int, view: CardView) -> None:
        if not self._live(generation):
            return
        # The card taken away (or the reader lost) while the person types the PIN.
        if view.step is CardStep.FAILED and self.flow.state is State.CARD_PIN:
            self._fail(view.error or CardErrorCode.CARD_ERROR, view.params)
            return
        self.flow.changed()  # waiting/no reader/checking/progress: draw again

    async def _wait_for_card(self, generation: int, card: CardSession) -> None:
        view = await card.wait_for_card(timeout=self.feature.wait_timeout_s)
        if not self._live(generation):
            return
        if view.step is CardStep.PIN_ENTRY:
            self._move(Event.CARD_READY)
        else:
            self._fail(view.error or CardErrorCode.CARD_ERROR, view.params)

    async def _fetch_challenge(self) -> bytes:
        """The server's challenge, asked right before signing; offline, a local one."""
        self._challenge_id = None
        client = self.feature.identity
        if client is not None:
            try:
                challenge = await client.challenge()
                self._challenge_id = challenge.id
                return challenge.value
            except (IdentityUnavailable, IdentityRefused) as exc:
                log.info("no challenge from the server (%s): verifying on the kiosk", type(exc).__name__)
        return os.urandom(32)

    async def _read(self, generation: int, card: CardSession, pin: str) -> None:
        view = await card.submit_pin(pin)
        del pin
        if not self._live(generation):
            return
        if view.step is CardStep.PIN_ENTRY:  # a wrong PIN with tries to spare
            self._move(Event.CARD_WRONG_PIN)
            return
        if view.step is not CardStep.DONE or view.result is None:
            self._fail(view.error or CardErrorCode.CARD_ERROR, view.params)
            return
        try:
            if card.purpose is CardPurpose.AUTHENTICATE:
                await self._authenticated(generation, view.result)
            else:
                await self._items_read(generation, view.result)
        except CardError as exc:
            if self._live(generation):
                self._fail(exc.code, exc.params)

    async def _authenticated(self, generation: int, result: CardResult) -> None:
        holder = self.flow.session.card
        client = self.feature.identity
        self.checking_server = True
        self.flow.changed()
        who = None
        if client is not None and self._challenge_id is not None:
            try:
                who = await client.verify(self._challenge_id, result.certificate_der, result.signature)
            except IdentityRefused as exc:
                log.info("the server refused the card authentication: %s", exc.code)
                if exc.code.startswith("challenge_"):  # took too long, or raced: try again
                    raise CardTimeout(exc.code) from exc
                raise NotVerified(exc.code) from exc
            except IdentityUnavailable:
                log.info("server gone during verification: verifying on the kiosk")
        if not self._live(generation):
            return
        if who is None:
            holder.person_key = self._verify_offline(result)
            holder.verified_offline = True
            holder.offline_proof = offline_proof(result, self.flow.clock.now())
            self._move(Event.CARD_NEEDS_CONSENT)
            return
        holder.person_key, holder.registered = who.person_key, who.registered
        holder.challenge_id = self._challenge_id  # the booking cites it: the server checks it
        if who.registered and who.registration_token is None and who.name:
            # A returning card holder: no consent screen, no second PIN.
            self._identified(who.name, Residency.RESIDENT if who.resident else Residency.NON_RESIDENT)
            return
        holder.registration_token = who.registration_token
        self._move(Event.CARD_NEEDS_CONSENT)

    def _verify_offline(self, result: CardResult) -> str:
        anchors = self.feature.trust.anchors() if self.feature.trust is not None else []
        try:
            identity = verify_authentication(result.certificate_der, result.challenge, result.signature,
                                             anchors, self.flow.clock.now())
        except VerificationError as exc:
            log.info("card certificate not verified on the kiosk: %s", exc.failure.value)
            raise NotVerified(exc.failure.value) from exc
        return identity.person_key

    async def _items_read(self, generation: int, result: CardResult) -> None:
        items, residency = result.holder, result.residency or Residency.NON_RESIDENT
        holder = self.flow.session.card
        name = items.name
        client = self.feature.identity
        if holder.registration_token and client is not None:
            self.checking_server = True
            self.flow.changed()
            try:
                who = await client.register(holder.registration_token, items.name, items.address)
                # The server decides residency by the city's own rule: it wins.
                name, holder.registered = who.name or name, True
                residency = Residency.RESIDENT if who.resident else Residency.NON_RESIDENT
            except (IdentityUnavailable, IdentityRefused) as exc:
                log.info("registration not done (%s): the card's address decides here", type(exc).__name__)
            holder.registration_token = None
        if holder.offline_proof is not None and not holder.registered:
            holder.offline_proof["address"] = items.address  # the server decides residency by it
        if self._live(generation):
            self._identified(name, residency)

    def _identified(self, name: str, residency: Residency) -> None:
        s = self.flow.session
        s.card.name, s.card.residency = name, residency
        s.guest.name, s.guest.residency = name, residency  # the booking form
        self._generation += 1  # done with this card: nothing may write any more
        card, self._card = self._card, None
        if card is not None:
            card.wipe()  # its view held the four items: drop them
        self.checking_server = False
        self.flow._go(Event.CARD_IDENTIFIED)
        self.flow._check_draft()
        self.flow.changed()

    def _move(self, event: Event) -> None:
        self.flow._go(event)
        self.flow.changed()

    def _fail(self, code: CardErrorCode, params: Mapping[str, int | str]) -> None:
        self.failure = (code, dict(params))
        self.checking_server = False
        self._generation += 1  # whatever still runs for this card is stale now
        card, self._card = self._card, None
        if card is not None:
            card.wipe()
        if self.flow.state in (State.CARD_INSERT, State.CARD_PIN, State.CARD_READING):
            self.flow._go(Event.CARD_FAILED)
        # Giving up waiting for a card, or a reader gone, is nobody doing something:
        # the session must still time out if the person walked away.
        self.flow.changed(activity=code not in (CardErrorCode.TIMEOUT, CardErrorCode.NO_READER))


def offline_proof(result: CardResult, now) -> dict:
    """What the server verifies again for a card verified on the kiosk (sync.protocol's
    ``CardIdentityIn``)."""
    import base64

    b64 = lambda data: base64.b64encode(data).decode("ascii")  # noqa: E731
    return {"verified_offline": True, "certificate": b64(result.certificate_der), "challenge": b64(result.challenge),
            "signature": b64(result.signature), "signed_at": now.replace(microsecond=0).isoformat()}


def _current_task() -> asyncio.Task | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop (a synchronous wipe)
        return None


def _not_now(state: State) -> Exception:
    from kiosk.flow.flow import FlowError

    return FlowError(f"not possible on the {state.value} screen")

"""View-models and builders of the My Number card screens (registered in screens.py).

Every string is translated here; the Flet views (kiosk/ui/screens/card_*.py) only lay
them out. The PIN pad's digits are in ``session.card_pin`` (kiosk/flow/pin_entry.py) while the
person types, so a redraw keeps them; OK hands them to ``CardPinScreen.submit``. The
view-model says how many dots a PIN has and what to say for each count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from kiosk.card.errors import CARD_ERROR_MESSAGES, CardErrorCode
from kiosk.card.session import PIN_NAMES, STEP_MESSAGES, CardPurpose, CardStep
from kiosk.domain.model import Residency
from kiosk.flow import card_messages as CM
from kiosk.flow import messages as M
from kiosk.flow.card_identify import RETRYABLE
from kiosk.flow.pin_entry import PinEntry
from kiosk.flow.states import IdentifyMethod, State
from kiosk.flow.viewmodels import Action, Chrome

PIN_LENGTH = 4
PICTURE = "images/card-reader.svg"


@dataclass(frozen=True)
class CardInsertScreen:
    chrome: Chrome
    status: str  # waiting | checking | no_reader (a stable id for the view and tests)
    message: str
    hint: str
    picture: str  # an asset path
    picture_label: str
    without_card: Action


@dataclass(frozen=True)
class CardPinScreen:
    chrome: Chrome
    pin_name: str
    message: str  # tries left, or what was wrong with the last PIN
    error: bool
    tries_left: int | None
    notes: tuple[str, ...]
    length: int
    keys: tuple[str, ...]  # "1" .. "9", "0"
    entered: tuple[str, ...]  # entered[n]: what to say with n digits typed (0..length)
    delete_label: str
    clear_label: str
    ok_label: str
    submit: Callable[[str], None]
    without_card: Action
    # the digits typed so far (kiosk/flow/pin_entry.py): the pad shows their count as
    # dots and hands them to ``submit`` on OK; a redraw (text size) keeps them
    entry: PinEntry = field(default_factory=PinEntry, repr=False)


@dataclass(frozen=True)
class CardReadingScreen:
    chrome: Chrome
    message: str
    progress: float  # 0..1


@dataclass(frozen=True)
class CardConsentScreen:
    chrome: Chrome
    intro: str
    items: tuple[str, ...]
    use: str
    keep: str
    number_note: str
    agree: Action
    decline: Action


@dataclass(frozen=True)
class CardFailedScreen:
    chrome: Chrome
    code: str  # the CardErrorCode value
    message: str
    retry: Action | None
    without_card: Action


def _card_chrome(flow, title: str, *, back: bool = True) -> Chrome:
    """The usual chrome; the card path counts as the details step, and its BACK also
    stops the reader and forgets the card."""
    from kiosk.flow.screens import STEPS, _chrome  # late: screens registers this module

    t = flow.t
    chrome = _chrome(flow, title, back=False)
    step = t(M.STEP, step=STEPS.index(State.GUEST_NAME) + 1, steps=len(STEPS))
    back_action = Action("back", t(M.BACK), flow.card.back) if back else None
    return replace(chrome, step=step, back=back_action)


def _without(flow) -> Action:
    return Action("card-without", flow.t(CM.WITHOUT_CARD), flow.card.without_card)


def identify_options(flow) -> tuple[Action, ...]:
    """The card's choice on the IDENTIFY screen (none on a kiosk without a reader)."""
    if flow.card is None:
        return ()
    t = flow.t
    return (Action("identify-card", t(CM.IDENTIFY_CARD), flow.card.choose, detail=t(CM.IDENTIFY_CARD_DETAIL)),)


def rate_text(flow, residency: Residency, default: str) -> str:
    """The confirm screen's rate, saying where it came from for a card holder."""
    s = flow.session
    if s.identify_method is not IdentifyMethod.CARD or s.card is None or s.card.residency is None:
        return default
    message = CM.RATE_RESIDENT_FROM_CARD if residency is Residency.RESIDENT else CM.RATE_NON_RESIDENT_FROM_CARD
    return flow.t(message)


def _insert(flow) -> CardInsertScreen:
    t = flow.t
    view = flow.card.view
    step = view.step if view is not None else CardStep.WAITING_FOR_CARD
    status = {CardStep.NO_READER: "no_reader", CardStep.CHECKING: "checking"}.get(step, "waiting")
    return CardInsertScreen(
        chrome=_card_chrome(flow, t(CM.TITLE_INSERT)),
        status=status,
        message=t(STEP_MESSAGES[step]) if step in STEP_MESSAGES else t(STEP_MESSAGES[CardStep.WAITING_FOR_CARD]),
        hint=t(CM.INSERT_HINT),
        picture=PICTURE,
        picture_label=t(CM.INSERT_PICTURE),
        without_card=_without(flow),
    )


def _pin(flow) -> CardPinScreen:
    t = flow.t
    view = flow.card.view
    purpose = flow.card.purpose
    tries = view.tries_left if view is not None else None
    error = view is not None and view.error is not None
    if error:
        message = t(CARD_ERROR_MESSAGES[view.error], **view.params)
    else:
        message = t(STEP_MESSAGES[CardStep.PIN_ENTRY], tries_left=tries if tries is not None else "?")
    notes = [t(CM.PIN_HIDDEN)]
    if purpose is CardPurpose.FORM_FILL:
        notes.append(t(CM.PIN_SAME_DIGITS))
    return CardPinScreen(
        chrome=_card_chrome(flow, t(CM.TITLE_PIN)),
        pin_name=t(PIN_NAMES[purpose]),
        message=message,
        error=error,
        tries_left=tries,
        notes=tuple(notes),
        length=PIN_LENGTH,
        keys=("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"),
        entered=tuple(t(CM.PIN_ENTERED, entered=n, length=PIN_LENGTH) for n in range(PIN_LENGTH + 1)),
        delete_label=t(CM.PIN_DELETE),
        clear_label=t(CM.PIN_CLEAR),
        ok_label=t(CM.PIN_OK),
        submit=flow.card.submit_pin,
        without_card=_without(flow),
        entry=flow.session.card_pin,
    )


def _reading(flow) -> CardReadingScreen:
    t = flow.t
    view = flow.card.view
    if flow.card.checking_server:
        return CardReadingScreen(_card_chrome(flow, t(CM.TITLE_READING), back=False), t(CM.READING_SERVER), 0.97)
    progress = view.progress if view is not None else 0.0
    return CardReadingScreen(_card_chrome(flow, t(CM.TITLE_READING), back=False),
                             t(STEP_MESSAGES[CardStep.READING]), progress)


def _consent(flow) -> CardConsentScreen:
    t = flow.t
    city = flow.city_name()
    return CardConsentScreen(
        chrome=_card_chrome(flow, t(CM.TITLE_CONSENT)),
        intro=t(CM.CONSENT_INTRO),
        items=tuple(t(m) for m in (CM.CONSENT_ITEM_NAME, CM.CONSENT_ITEM_ADDRESS,
                                    CM.CONSENT_ITEM_BIRTH, CM.CONSENT_ITEM_SEX)),
        use=t(CM.CONSENT_USE, city=city),
        keep=t(CM.CONSENT_KEEP, city=city),
        number_note=t(CM.CONSENT_NUMBER),
        agree=Action("card-consent-agree", t(CM.CONSENT_AGREE), flow.card.consent),
        decline=Action("card-consent-decline", t(CM.CONSENT_DECLINE), flow.card.without_card),
    )


def _failed(flow) -> CardFailedScreen:
    t = flow.t
    code, params = flow.card.failure or (CardErrorCode.CARD_ERROR, {})
    retry = Action("card-retry", t(CM.RETRY), flow.card.retry) if code in RETRYABLE else None
    return CardFailedScreen(
        chrome=_card_chrome(flow, t(CM.TITLE_FAILED)),
        code=code.value,
        message=t(CARD_ERROR_MESSAGES[code], **params),
        retry=retry,
        without_card=_without(flow),
    )


BUILDERS = {
    State.CARD_INSERT: _insert,
    State.CARD_PIN: _pin,
    State.CARD_READING: _reading,
    State.CARD_CONSENT: _consent,
    State.CARD_FAILED: _failed,
}

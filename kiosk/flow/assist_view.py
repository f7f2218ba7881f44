"""Assisted mode's view-models: the call-staff chrome on every screen, the staff PIN
screen, and the helper view's bilingual overlay.

In helper view every screen is built twice, in the person's language and in Japanese
(the helper's language), and the two are laid side by side: each button's Japanese
label goes in its ``staff_label`` line (ids match between the two builds), the title
and notices get a Japanese line, and a band says what the person does on this screen
and what the helper should check. The Flet side only lays these out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace

from kiosk.flow import assist_messages as A
from kiosk.flow import messages as M
from kiosk.flow.assist import assist_of
from kiosk.flow.card_messages import PIN_CLEAR, PIN_DELETE, PIN_OK
from kiosk.flow.pin_entry import PinEntry
from kiosk.flow.staff_pin import MAX_DIGITS, MIN_DIGITS, PinResult
from kiosk.flow.states import State
from kiosk.flow.viewmodels import Action, Chrome
from kiosk.i18n import Translator
from kiosk.staff_calls import CallStatus


@dataclass(frozen=True)
class HelperBand:
    """What the helper reads: the screen in Japanese and what to do here."""

    heading: str  # "Helper view" (the person's language and Japanese)
    title: str  # the screen's title in Japanese ("" when the screen is Japanese already)
    explanation: str  # in Japanese: what the person does here, what to check
    notices: tuple[str, ...]  # the screen's notices in Japanese
    leave: Action


@dataclass(frozen=True)
class AssistChrome:
    """Call staff and helper view, on every screen (``Chrome.assist``)."""

    call: Action | None  # "Call staff"; None while a call is open
    message: str = ""  # how the call stands, in words
    warning: bool = False  # the call could not go out: ask at the counter
    cancel: Action | None = None  # cancel the open call
    helper_entry: Action | None = None  # "Helper view" (staff PIN); None in helper view
    helper: HelperBand | None = None


@dataclass(frozen=True)
class HelperPinScreen:
    """The staff PIN pad, over whatever screen the person is on (kept underneath)."""

    chrome: Chrome
    hint: str
    message: str  # what was wrong with the last PIN, or how many digits are typed
    error: bool
    entered: tuple[str, ...]  # entered[n]: said with n digits typed (0..MAX_DIGITS)
    keys: tuple[str, ...]
    min_digits: int
    max_digits: int
    delete_label: str
    clear_label: str
    ok_label: str
    submit: Callable[[str], None]
    view_key: str = "helper_pin"
    # the digits typed so far (kiosk/flow/pin_entry.py), kept while the pad is redrawn
    entry: PinEntry = field(default_factory=PinEntry, repr=False)


def _both(flow, message: str, **params) -> str:
    """``message`` in the person's language and, when that differs, in Japanese below."""
    mine = flow.t(message, **params)
    ja = Translator(A.HELPER_LANGUAGE)(message, **params)
    return mine if mine == ja else f"{mine}\n{ja}"


_CALL_MESSAGES = {
    CallStatus.SENT: A.CALL_SENT,
    CallStatus.ACKNOWLEDGED: A.CALL_ACKNOWLEDGED,
    CallStatus.QUEUED: A.CALL_QUEUED,
    CallStatus.NO_SERVER: A.CALL_NO_SERVER,
}


_LANGUAGE_SCREEN_KEYS = {
    A.CALL_SENT: "sent", A.CALL_ACKNOWLEDGED: "acknowledged", A.CALL_QUEUED: "ask",
    A.CALL_NO_SERVER: "ask", A.CALL_CANCEL: "cancel", A.CALL_CANCELLED: "cancelled",
}


def assist_chrome(flow) -> AssistChrome:
    """The call-staff part of the current screen's chrome."""
    assist = assist_of(flow)
    a = assist.session
    on_language = flow.state is State.LANGUAGE

    def say(message: str) -> str:
        return A.LANGUAGE_SCREEN_CALL[_LANGUAGE_SCREEN_KEYS[message]] if on_language else flow.t(message)

    status = assist.call_status()
    message, warning = "", False
    if status in _CALL_MESSAGES:
        message = say(_CALL_MESSAGES[status])
        warning = status in (CallStatus.QUEUED, CallStatus.NO_SERVER)
    elif a.call_cancelled or status is CallStatus.CANCELLED:
        message = say(A.CALL_CANCELLED)
    elif status is CallStatus.CLOSED:
        a.call_id = None  # staff closed it: the button is back
    open_ = assist.call_open()
    call = None if open_ else Action(
        "call-staff", A.CALL_STAFF_LANGUAGE_SCREEN if on_language else flow.t(A.CALL_STAFF),
        assist.call_staff)
    cancel = Action("call-cancel", say(A.CALL_CANCEL), assist.cancel_call) \
        if open_ else None
    # helper view needs the person's language: it is offered once they have chosen one
    entry = None if assist.helper or a.pin_open or on_language else Action(
        "helper-view", flow.t(A.HELPER_VIEW), assist.open_pin)
    return AssistChrome(call=call, message=message, warning=warning, cancel=cancel, helper_entry=entry)


# -- the staff PIN screen ------------------------------------------------------------------
_PIN_MESSAGES = {
    PinResult.WRONG: A.HELPER_PIN_WRONG,
    PinResult.LOCKED: A.HELPER_PIN_LOCKED,
    PinResult.NOT_SET_UP: A.HELPER_PIN_NOT_SET_UP,
}


def helper_pin_screen(flow) -> HelperPinScreen:
    assist = assist_of(flow)
    result = assist.session.pin_result
    chrome = Chrome(
        state=flow.state, title=_both(flow, A.HELPER_PIN_TITLE), language=flow.t.code,
        back=Action("pin-cancel", _both(flow, M.BACK), assist.close_pin),
        help_text=flow.t(M.CALL_STAFF), assist=assist_chrome(flow),
    )
    entered = tuple(_both(flow, A.HELPER_PIN_ENTERED, entered=n) for n in range(MAX_DIGITS + 1))
    return HelperPinScreen(
        chrome=chrome, hint=_both(flow, A.HELPER_PIN_HINT),
        message=_both(flow, _PIN_MESSAGES[result]) if result in _PIN_MESSAGES else entered[0],
        error=result in _PIN_MESSAGES, entered=entered,
        keys=("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"),
        min_digits=MIN_DIGITS, max_digits=MAX_DIGITS,
        delete_label=flow.t(PIN_DELETE), clear_label=flow.t(PIN_CLEAR), ok_label=flow.t(PIN_OK),
        submit=assist.submit_pin,
        entry=assist.session.staff_pin,
    )


# -- building a screen with assisted mode --------------------------------------------------
def build_assisted(flow, builders: Mapping[State, Callable]):
    """The current screen: the PIN pad while staff enter it, the helper view's
    bilingual screen while it is on, the plain screen otherwise."""
    assist = assist_of(flow)
    if assist.session.pin_open:
        return helper_pin_screen(flow)
    screen = builders[flow.state](flow)
    if not assist.helper:
        return screen
    return helper_overlay(flow, screen, builders)


def helper_overlay(flow, screen, builders: Mapping[State, Callable]):
    japanese = None
    if flow.t.code != A.HELPER_LANGUAGE and flow.state is not State.LANGUAGE:
        mine = flow.t
        flow.t = Translator(A.HELPER_LANGUAGE)
        try:
            japanese = builders[flow.state](flow)
            japanese_notices = _notices(flow)
        finally:
            flow.t = mine
    ja = Translator(A.HELPER_LANGUAGE)
    band = HelperBand(
        heading=_both(flow, A.HELPER_BAND),
        title=japanese.chrome.title if japanese is not None and japanese.chrome.title != screen.chrome.title else "",
        explanation=ja(A.HELP_FOR.get(flow.state, A.HELP_FOR[State.HOME])),
        notices=tuple(n for n in (japanese_notices if japanese is not None else ())
                      if n not in screen.chrome.notices),
        leave=Action("helper-leave", _both(flow, A.HELPER_LEAVE), assist_of(flow).leave_helper),
    )
    if japanese is not None:
        screen = _bilingual_fields(screen, japanese)
        labels: dict[str, str] = {}

        def note(action: Action) -> Action:
            labels.setdefault(action.id, action.label)
            return action

        _walk(japanese, note)
        screen = _walk(screen, lambda a: _with_japanese(a, labels.get(a.id)))
    chrome = screen.chrome
    assisted = replace(chrome.assist or assist_chrome(flow), helper=band)
    # staff are here: the "call a staff member" line gives its room to the helper's buttons
    return replace(screen, chrome=replace(chrome, assist=assisted, help_text=""))


# A screen's own labels and messages that get their Japanese on a second line (buttons
# get theirs through ``Action.staff_label``; keys of a PIN pad keep one short word).
BILINGUAL_FIELDS = ("residency_question", "fee_title", "total_label", "options_title", "exemption_title",
                    "code_label", "amount_label", "message")
# a text field's label floats on one line above the text: both languages on that line
ONE_LINE_FIELDS = ("field_label", "name_label", "phone_label")


def _bilingual_fields(screen, japanese):
    if type(screen) is not type(japanese) or not is_dataclass(screen):
        return screen
    changes = {}
    for name in BILINGUAL_FIELDS:
        mine, ja = getattr(screen, name, None), getattr(japanese, name, None)
        if isinstance(mine, str) and isinstance(ja, str) and mine and ja and mine != ja:
            changes[name] = f"{mine}\n{ja}"
    for name in ONE_LINE_FIELDS:
        mine, ja = getattr(screen, name, None), getattr(japanese, name, None)
        if isinstance(mine, str) and isinstance(ja, str) and mine and ja and mine != ja:
            changes[name] = f"{mine} / {ja}"
    mine, ja = getattr(screen, "summary", None), getattr(japanese, "summary", None)
    if isinstance(mine, tuple) and isinstance(ja, tuple) and len(mine) == len(ja) \
            and all(isinstance(r, tuple) and len(r) == 2 for r in (*mine, *ja)):
        changes["summary"] = tuple((f"{m[0]}\n{j[0]}" if m[0] != j[0] else m[0], m[1]) for m, j in zip(mine, ja))
    return replace(screen, **changes) if changes else screen


def _notices(flow) -> tuple[str, ...]:
    """The session's notices in the flow's current language, the city's name included
    (a notice keeps the name as said in the person's language)."""
    out = []
    for notice in flow.session.notices:
        params = dict(notice.params)
        if "city" in params:
            params["city"] = flow.city_name()
        out.append(flow.t(notice.message, **flow._localized_params(params)))
    return tuple(out)


def _with_japanese(action: Action, japanese: str | None) -> Action:
    if not japanese or japanese == action.label:
        return action
    return replace(action, staff_label=japanese)


def _walk(obj, fn: Callable[[Action], Action]):
    """``obj`` with ``fn`` applied to every Action inside (dataclasses and tuples)."""
    if isinstance(obj, Action):
        return fn(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in fields(obj):
            if not f.init:
                continue
            value = getattr(obj, f.name)
            new = _walk(value, fn)
            if new is not value:
                changes[f.name] = new
        return replace(obj, **changes) if changes else obj
    if isinstance(obj, tuple):
        new = tuple(_walk(x, fn) for x in obj)
        return new if any(a is not b for a, b in zip(new, obj)) else obj
    return obj

"""View-models: one plain dataclass per screen, of already-translated strings + actions.

Flet views only lay these out; every decision (what is enabled, what it says, what a
tap does) is made in the flow and unit-tested without a browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.flow.states import State


@dataclass(frozen=True)
class Action:
    id: str  # stable, language-independent id (semantics identifier in the UI)
    label: str  # the button text, also its accessible name
    run: Callable[[], object]  # may return work for the page (kiosk/flow/confirming.py)
    enabled: bool = True
    selected: bool = False
    detail: str = ""  # a second, smaller line
    badge: str = ""  # a symbol that carries state alongside colour (○ × 休 －)
    staff_label: str = ""  # the Japanese name staff know it by (午前), on other-language screens


@dataclass(frozen=True)
class Chrome:
    """What every screen has around its content."""

    state: State
    title: str
    language: str
    back: Action | None = None
    start_over: Action | None = None
    help_text: str = ""
    step: str = ""
    notices: tuple[str, ...] = ()  # translated messages (rule violations, input errors)
    # the link to the central server, for a small status indicator (kiosk.flow.offline)
    online: bool | None = None  # None: not shown
    connection: str = ""  # "Online" / "Offline"
    connection_detail: str = ""  # the same as a sentence, for screen readers
    assist: object | None = None  # call staff, helper view (kiosk.flow.assist_view.AssistChrome)


@dataclass(frozen=True)
class ChoiceScreen:
    """Language, home, category, unit and identify screens: a list of big choices."""

    chrome: Chrome
    options: tuple[Action, ...]


@dataclass(frozen=True)
class DayCell:
    number: str  # "3"
    state_text: str  # "Free", "Full", "Closed", ...
    action: Action  # label = full accessible name, e.g. "Tue, Nov 3: Free"


@dataclass(frozen=True)
class CalendarScreen:
    chrome: Chrome
    unit_name: str
    month_label: str
    previous_month: Action
    next_month: Action
    weekdays: tuple[str, ...]  # Sunday first, as Japanese calendars
    weeks: tuple[tuple[DayCell | None, ...], ...]
    legend: tuple[tuple[str, str], ...]  # (badge, meaning)
    availability_note: tuple[str, ...] = ()  # offline: "as of 10:42", provisional
    availability_detail: str = ""  # the same note in full, for screen readers


@dataclass(frozen=True)
class TimeBlocksScreen:
    chrome: Chrome
    unit_name: str
    day_label: str
    slots: tuple[Action, ...]  # toggles
    selection: str
    next: Action
    availability_note: tuple[str, ...] = ()  # offline: "as of 10:42", provisional
    availability_detail: str = ""  # the same note in full, for screen readers


@dataclass(frozen=True)
class GuestFieldScreen:
    """A guest's name, or phone number: one question, one text field."""

    chrome: Chrome  # the title asks the question
    field: str  # "name" | "phone": what is typed (the view picks the keyboard for it)
    field_label: str
    value: str  # what was typed before (BACK, a notice, a redraw keep it)
    max_length: int
    # Keeps what is typed so far in the session, so a redraw shows it again.
    edit: Callable[[str], None]
    next: Action


@dataclass(frozen=True)
class GuestResidencyScreen:
    """"Do you live in <city>?": a tap on yes or no answers it and goes on."""

    chrome: Chrome  # the title asks the question
    note: str
    options: tuple[Action, ...]  # yes / no, the earlier answer selected


@dataclass(frozen=True)
class FeeRow:
    label: str
    detail: str  # "3 × ¥1,200"
    amount: str


@dataclass(frozen=True)
class ConfirmScreen:
    chrome: Chrome
    summary: tuple[tuple[str, str], ...]  # (label, value)
    fee_title: str
    fee_rows: tuple[FeeRow, ...]
    total_label: str
    total: str
    options_title: str
    surcharges: tuple[Action, ...]  # toggles
    exemption_title: str
    exemptions: tuple[Action, ...]  # one of them selected
    exemption_note: str
    book: Action


@dataclass(frozen=True)
class DoneScreen:
    chrome: Chrome
    code_label: str
    code: str
    qr_label: str
    qr_png: bytes
    summary: tuple[tuple[str, str], ...]
    message: str
    offline_message: str
    finish: Action
    tone: str = "confirmed"  # "confirmed" | "provisional" | "rejected" | "cancelled"
    status_lines: tuple[str, ...] = ()  # what happens to the booking, in plain words


Screen = (ChoiceScreen | CalendarScreen | TimeBlocksScreen | GuestFieldScreen | GuestResidencyScreen
          | ConfirmScreen | DoneScreen)


@dataclass(frozen=True)
class TimeoutWarning:
    title: str
    countdown: str
    more_time: str


@dataclass(frozen=True)
class ErrorNotice:
    title: str
    message: str
    help_text: str
    extra: dict = field(default_factory=dict)

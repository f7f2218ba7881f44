"""The guest path: a person without a card answers one question per screen.

    GUEST_NAME --next--> GUEST_PHONE --next--> GUEST_RESIDENCY --yes/no--> CONFIRM

Each answer goes into ``session.guest`` as it is typed (``edit_name``, ``edit_phone``),
so BACK, a notice or a change of text size redraws the screen with it, and each screen
checks only its own answer when the person goes on. Plain Python, no UI.
"""

from __future__ import annotations

import unicodedata

from kiosk.domain.model import Residency
from kiosk.flow import messages as M
from kiosk.flow.messages import Notice
from kiosk.flow.states import Event, IllegalTransition, State

NAME_MAX_CHARS = 60
# What a field keeps while the person types: a paste of a novel is not kept whole.
NAME_KEEP_CHARS = NAME_MAX_CHARS * 4
PHONE_KEEP_CHARS = 64


def normalize_phone(phone: str) -> str:
    # Full-width digits and hyphens (０９０ー１２３４…) are common input on Japanese IMEs.
    text = unicodedata.normalize("NFKC", phone).strip()
    return "".join(ch for ch in text if ch.isdigit() or ch == "-")


def name_problem(name: str) -> Notice | None:
    if not name:
        return Notice(M.NAME_MISSING)
    if len(name) > NAME_MAX_CHARS:
        return Notice(M.NAME_TOO_LONG, {"max": NAME_MAX_CHARS})
    return None


def phone_problem(phone: str) -> Notice | None:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if 10 <= len(digits) <= 11 and digits.startswith("0"):
        return None
    return Notice(M.PHONE_INVALID)


class GuestDetailsFlow:
    """The guest's three screens, driven through the flow's transition table."""

    def __init__(self, flow) -> None:
        self.flow = flow

    @property
    def _guest(self):
        return self.flow.session.guest

    def _on(self, state: State, event: Event) -> None:
        if self.flow.state is not state:
            raise IllegalTransition(self.flow.state, event)

    # -- the name screen -------------------------------------------------------------
    def edit_name(self, name: str) -> None:
        """Keep what the person has typed so far; checked only on "next"."""
        self._on(State.GUEST_NAME, Event.SUBMIT_GUEST_NAME)
        self._guest.name = name[:NAME_KEEP_CHARS]

    def submit_name(self) -> None:
        self.flow._require(Event.SUBMIT_GUEST_NAME)
        g = self._guest
        g.name = unicodedata.normalize("NFKC", g.name).strip()
        if (problem := name_problem(g.name)) is not None:
            self.flow.session.notices = [problem]
            return
        self.flow._go(Event.SUBMIT_GUEST_NAME)

    # -- the phone screen ------------------------------------------------------------
    def edit_phone(self, phone: str) -> None:
        self._on(State.GUEST_PHONE, Event.SUBMIT_GUEST_PHONE)
        self._guest.phone = phone[:PHONE_KEEP_CHARS]

    def submit_phone(self) -> None:
        self.flow._require(Event.SUBMIT_GUEST_PHONE)
        g = self._guest
        g.phone = normalize_phone(g.phone)
        if (problem := phone_problem(g.phone)) is not None:
            self.flow.session.notices = [problem]
            return
        self.flow._go(Event.SUBMIT_GUEST_PHONE)

    # -- the residency screen --------------------------------------------------------
    def choose_residency(self, residency: Residency | str | None) -> None:
        """Yes or no answers the question and goes on to the booking check."""
        self.flow._require(Event.SELECT_RESIDENCY)
        if residency is None:
            self.flow.session.notices = [Notice(M.RESIDENCY_MISSING, {"city": self.flow.city_name()})]
            return
        self._guest.residency = Residency(residency)
        self.flow._go(Event.SELECT_RESIDENCY)
        self.flow._check_draft()

    # -- all three at once (tests, scripts) ------------------------------------------
    def enter_all(self, name: str, phone: str, residency: Residency | None) -> None:
        """Answer the three screens in turn from the name screen, as a person would;
        stops on the first screen whose answer is refused (its notice shows)."""
        self.edit_name(name)
        self.submit_name()
        if self.flow.state is not State.GUEST_PHONE:
            return
        self.edit_phone(phone)
        self.submit_phone()
        if self.flow.state is not State.GUEST_RESIDENCY:
            return
        self.choose_residency(residency)

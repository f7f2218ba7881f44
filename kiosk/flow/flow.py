"""The kiosk flow: one person's session driven through the explicit state machine.

``KioskFlow`` takes events (``select_*``, ``back``, ``start_over``, ``timeout``) and
in-screen actions (toggle a slot, page the month, choose a surcharge), keeps the
person's choices in a ``Session``, and builds the current screen's view-model with
``screen()``. Rule violations become translated notices and keep every choice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from babel.dates import format_skeleton

from kiosk.domain.model import Category, Residency, Slot, Unit
from kiosk.flow import messages as M
from kiosk.flow.booking import BookingDraft, BookingService, guest_person_key
from kiosk.flow.clock import Clock
from kiosk.flow.confirming import PendingConfirmation
from kiosk.flow.messages import Notice
from kiosk.flow.session import Session
from kiosk.flow.states import (
    CONFIRM_BACK_STATES,
    IDENTIFY_METHOD_STATES,
    Event,
    IdentifyMethod,
    IllegalTransition,
    State,
    next_state,
)
from kiosk.i18n import LANGUAGES_BY_CODE, Translator

log = logging.getLogger(__name__)


class FlowError(ValueError):
    """A request the current screen cannot take (a disabled choice, a stale id)."""


class KioskFlow:
    def __init__(
        self,
        cache,
        clock: Clock,
        *,
        online: Callable[[], bool] = lambda: True,
        link=None,
        confirm_timeout_s: float = 4.0,
        rng=None,
        card=None,
        payments=None,
        printer=None,
    ) -> None:
        self.cache = cache
        self.clock = clock
        # ``link`` (kiosk.server_link.ServerLink): the central server. Without one the
        # flow books into the cache only and ``online`` says whether rules treat the
        # booking as made online (tests of the flow alone).
        self.link = link
        self.online = link.online if link is not None else online
        self.confirm_timeout_s = confirm_timeout_s
        self.rng = rng
        self.bookings = BookingService(cache)
        self.session = Session()
        self.t = Translator()
        # Features that work off the UI thread tell the page to draw again through these.
        self.listeners: list[Callable[[bool], None]] = []
        # The My Number card (kiosk/flow/card_identify.py); None on a kiosk without one.
        self.card = card.for_flow(self) if card is not None else None
        # ``payments`` (kiosk.payments.PaymentClient): paying by app and My bookings
        from kiosk.flow.payment import PaymentFlow

        self.pay = PaymentFlow(self, payments, printer)
        from kiosk.flow.guest_details import GuestDetailsFlow

        self.guest = GuestDetailsFlow(self)  # a guest's name, phone and residency
        # Assisted mode (kiosk/flow/assist.py): ``assist.attach`` sets it; None until then.
        self.assist = None

    # -- state machine -----------------------------------------------------------
    @property
    def state(self) -> State:
        return self.session.state

    def _go(self, event: Event, target: State | None = None) -> None:
        expected = next_state(self.session.state, event)  # raises IllegalTransition
        self.session.state = target or expected
        self.session.notices = []
        self.session.card_pin.clear()  # digits typed on the card's pad never outlive it

    def _require(self, event: Event) -> None:
        next_state(self.session.state, event)

    # -- events ------------------------------------------------------------------
    def select_language(self, code: str) -> None:
        self._require(Event.SELECT_LANGUAGE)
        if code not in LANGUAGES_BY_CODE:
            raise FlowError(f"unknown language {code!r}")
        self.session.language = code
        self.t = Translator(code)
        self._go(Event.SELECT_LANGUAGE)

    def select_task(self, task: str = "book") -> None:
        if task == "my_bookings":
            self.pay.open_my_bookings()
            return
        self._require(Event.SELECT_TASK)
        if task != "book":
            raise FlowError(f"unknown task {task!r}")
        self._go(Event.SELECT_TASK)

    def select_category(self, category: Category | str) -> None:
        self._require(Event.SELECT_CATEGORY)
        category = Category(category)
        if category not in self.cache.categories():
            raise FlowError(f"no units in category {category!r}")
        self.session.category = category
        self._go(Event.SELECT_CATEGORY)

    def select_unit(self, unit_id: str) -> None:
        self._require(Event.SELECT_UNIT)
        unit = self.cache.unit(unit_id)
        if unit.category != self.session.category:
            raise FlowError(f"unit {unit_id!r} is not in the chosen category")
        if self.session.unit_id != unit_id:
            self.session.day = None
            self.session.slots = []
        self.session.unit_id = unit_id
        if self.session.month is None:
            today = self.clock.now().date()
            self.session.month = (today.year, today.month)
        self._go(Event.SELECT_UNIT)

    def select_day(self, day: date) -> None:
        self._require(Event.SELECT_DAY)
        from kiosk.flow.screens import bookable_day  # late: screens imports this module

        if not bookable_day(self, day):
            raise FlowError(f"{day} is not open for booking")
        if self.session.day != day:
            self.session.slots = []
        self.session.day = day
        self._go(Event.SELECT_DAY)

    def select_slots(self) -> None:
        self._require(Event.SELECT_SLOTS)
        s = self.session
        if not s.slots:
            s.notices = [Notice(M.PICK_AT_LEAST_ONE)]
            return
        # Check what can be checked before knowing who books (the resident window is
        # the widest): too many slots, taken meanwhile, group-only units.
        draft = self._draft(residency=Residency.RESIDENT, person_key=None)
        violations = self.bookings.validate(draft, self.clock.now(), self.online())
        if violations:
            s.notices = [violation_notice(v) for v in violations]
            return
        self._go(Event.SELECT_SLOTS)

    def select_identify_method(self, method: IdentifyMethod | str) -> None:
        method = IdentifyMethod(method)
        self._go(Event.SELECT_IDENTIFY_METHOD, IDENTIFY_METHOD_STATES[method])
        self.session.identify_method = method

    def select_guest_details(self, name: str, phone: str, residency: Residency | None) -> None:
        """A guest's name, phone and residency, screen by screen (kiosk/flow/guest_details.py)."""
        self.guest.enter_all(name, phone, residency)

    def toggle_slot(self, slot: Slot) -> None:
        if self.state is not State.TIME_BLOCKS:
            raise IllegalTransition(self.state, Event.SELECT_SLOTS)
        s = self.session
        if slot in s.slots:
            s.slots.remove(slot)
        else:
            from kiosk.flow.screens import free_slots

            if slot not in free_slots(self):
                raise FlowError("that time is not free")
            s.slots.append(slot)
            s.slots.sort()
        s.notices = []

    def show_month(self, year: int, month: int) -> None:
        if self.state is not State.CALENDAR:
            raise IllegalTransition(self.state, Event.SELECT_DAY)
        self.session.month = (year, month)

    def next_month(self) -> None:
        y, m = self.session.month
        self.show_month(y + (m == 12), m % 12 + 1)

    def previous_month(self) -> None:
        y, m = self.session.month
        self.show_month(y - (m == 1), 12 if m == 1 else m - 1)

    def toggle_surcharge(self, code: str) -> None:
        if self.state is not State.CONFIRM:
            raise IllegalTransition(self.state, Event.SELECT_BOOK)
        if code not in {sc.code for sc in self.unit().surcharges}:
            raise FlowError(f"unknown surcharge {code!r}")
        self.session.surcharges ^= {code}
        self._check_draft()

    def select_exemption(self, code: str | None) -> None:
        if self.state is not State.CONFIRM:
            raise IllegalTransition(self.state, Event.SELECT_BOOK)
        if code is not None and code not in self.cache.city().exemptions:
            raise FlowError(f"unknown exemption {code!r}")
        self.session.exemption = code
        self._check_draft()

    def select_book(self) -> None:
        """Book it and wait for the central server's answer right here."""
        pending = self.begin_book()
        if pending is not None:
            pending.settle()

    def begin_book(self) -> PendingConfirmation | None:
        """Save the booking on the kiosk; when the server must be asked, return the wait
        for its answer (kiosk/flow/confirming.py) instead of blocking on it."""
        from kiosk.flow.confirming import begin_book

        return begin_book(self)

    def back(self) -> None:
        state = self.state
        target = next_state(state, Event.BACK)
        if state is State.CONFIRM and self.session.identify_method is not None:
            target = CONFIRM_BACK_STATES[self.session.identify_method]
            if self.session.identify_method is IdentifyMethod.CARD and self.card is not None:
                self.card.forget()  # back to choosing: what the card said goes
        self._go(Event.BACK, target)

    def start_over(self) -> None:
        next_state(self.state, Event.START_OVER)
        self._wipe()

    def timeout(self) -> None:
        next_state(self.state, Event.TIMEOUT)
        self._wipe()

    def _wipe(self) -> None:
        if self.card is not None:
            self.card.wipe()  # stops the reader tasks before the session they fill goes
        if self.assist is not None:
            self.assist.session_ended()  # an open staff call: nobody waits for it now
        self.session.reset()  # PIN digits typed so far are cleared in place too
        self.t = Translator()

    def wipe(self) -> None:
        """Forget the person now, whatever the screen (the browser went away)."""
        self._wipe()

    def subscribe(self, listener: Callable[[bool], None]) -> None:
        self.listeners.append(listener)

    def changed(self, activity: bool = True) -> None:
        """Something moved without a tap (a card put down, a read finished).
        ``activity``: a person caused it, so it counts against inactivity (a card put
        down does; the kiosk giving up waiting for one does not)."""
        for listener in list(self.listeners):
            listener(activity)

    # -- helpers -----------------------------------------------------------------
    def unit(self) -> Unit:
        return self.cache.unit(self.session.unit_id)

    def city_name(self) -> str:
        from kiosk.domain.model import localized

        return localized(self.cache.city().name, self.t.code)

    def contact(self) -> dict[str, str]:
        g = self.session.guest
        if self._card_holder() is not None:
            return {"name": g.name}  # the card identified the person: no phone asked
        return {"name": g.name, "phone": g.phone}

    def _card_holder(self):
        s = self.session
        if s.identify_method is IdentifyMethod.CARD and s.card is not None and s.card.person_key:
            return s.card
        return None

    def _person_key(self) -> str:
        holder = self._card_holder()
        return holder.person_key if holder is not None else guest_person_key(self.session.guest.phone)

    def _draft(self, residency: Residency | None = None, person_key: str | None = "") -> BookingDraft:
        s = self.session
        return BookingDraft(
            unit=self.unit(),
            slots=tuple(s.slots),
            residency=residency or s.guest.residency or Residency.NON_RESIDENT,
            person_key=self._person_key() if person_key == "" else person_key,
            surcharges=frozenset(s.surcharges), exemption=s.exemption,
            identity=holder.identity() if person_key == "" and (holder := self._card_holder()) else None,
        )

    def _check_draft(self) -> None:
        """On the confirm screen, show what would stop the booking before the tap."""
        violations = self.bookings.validate(self._draft(), self.clock.now(), self.online())
        self.session.notices = [violation_notice(v) for v in violations]

    def notices_text(self) -> tuple[str, ...]:
        return tuple(self.t(n.message, **self._localized_params(n.params))
                     for n in self.session.notices)

    def _localized_params(self, params) -> dict:
        # Rules give dates as ISO strings so the UI can say them in the person's language.
        out = dict(params)
        for key, value in params.items():
            if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
                try:
                    out[key] = format_skeleton("MMMEd", date.fromisoformat(value), locale=self.t.locale)
                except ValueError:
                    pass
        return out

    def screen(self):
        from kiosk.flow.screens import build_screen

        return build_screen(self)


def violation_notice(violation) -> Notice:
    from kiosk.domain.rules import VIOLATION_MESSAGES

    return Notice(VIOLATION_MESSAGES[violation.code], dict(violation.params))


def slot_taken_notice(conflict, slots) -> Notice:
    from kiosk.domain.rules import VIOLATION_MESSAGES, ViolationCode

    slot = next((x for x in slots if x.start == getattr(conflict, "start", None)), slots[0])
    return Notice(VIOLATION_MESSAGES[ViolationCode.SLOT_TAKEN], {
        "date": slot.start.date().isoformat(), "start": f"{slot.start:%H:%M}", "end": f"{slot.end:%H:%M}",
    })


def server_violation_notice(violation, slots) -> Notice:
    """A violation the server reported ({"code", "params"}) as a notice. The server may
    leave out parameters the message names (e.g. which slot was taken): fill them from
    the person's own choice, or fall back to a plain refusal."""
    from kiosk.domain.rules import VIOLATION_MESSAGES, ViolationCode
    from kiosk.tools._catalogs import placeholders

    try:
        code = ViolationCode(violation.get("code"))
    except ValueError:
        return Notice(M.BOOKING_REFUSED)
    params = dict(violation.get("params") or {})
    if code is ViolationCode.SLOT_TAKEN and "date" not in params and slots:
        return slot_taken_notice(None, slots)
    message = VIOLATION_MESSAGES[code]
    if not placeholders(message) <= set(params):
        return Notice(M.BOOKING_REFUSED)
    return Notice(message, params)


"""Build the current screen's view-model from the flow's session."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from functools import partial

from babel.dates import format_skeleton, get_day_names

from kiosk.domain.availability import DayState, SlotState, day_availability, month_availability
from kiosk.domain.model import HOURLY_RATE_KEY, BookingMode, Residency, Slot, localized
from kiosk.flow import messages as M
from kiosk.flow import offline
from kiosk.flow.assist_view import assist_chrome, build_assisted
from kiosk.flow.booking import day_bounds
from kiosk.flow.localize import block_name, fee_label, staff_name
from kiosk.flow.receipt import qr_png
from kiosk.flow.states import IdentifyMethod, State
from kiosk.flow.viewmodels import (
    Action,
    CalendarScreen,
    ChoiceScreen,
    Chrome,
    ConfirmScreen,
    DayCell,
    DoneScreen,
    FeeRow,
    TimeBlocksScreen,
)
from kiosk.i18n import LANGUAGES

# Steps a person counts, from choosing what to book to checking it.
# A guest's three questions (and the card's screens) are one step: who is booking.
STEPS = (State.CATEGORY, State.UNIT, State.CALENDAR, State.TIME_BLOCKS, State.IDENTIFY,
         State.GUEST_NAME, State.CONFIRM)
SAME_STEP = {State.GUEST_PHONE: State.GUEST_NAME, State.GUEST_RESIDENCY: State.GUEST_NAME}

DAY_TEXT = {
    DayState.AVAILABLE: ("○", M.DAY_AVAILABLE),
    DayState.FULL: ("×", M.DAY_FULL),
    DayState.CLOSED: ("休", M.DAY_CLOSED),
    DayState.NOT_BOOKABLE: ("－", M.DAY_NOT_BOOKABLE),
}
SLOT_TEXT = {
    SlotState.FREE: M.SLOT_FREE,
    SlotState.TAKEN: M.SLOT_TAKEN,
    SlotState.CLOSED: M.SLOT_CLOSED,
    SlotState.PAST: M.SLOT_PAST,
    SlotState.NOT_YET_OPEN: M.SLOT_NOT_YET_OPEN,
}


def _chrome(flow, title: str, *, back: bool = True) -> Chrome:
    t = flow.t
    state = flow.state
    step = ""
    if (counted := SAME_STEP.get(state, state)) in STEPS:
        step = t(M.STEP, step=STEPS.index(counted) + 1, steps=len(STEPS))
    online, connection, connection_detail = offline.connection(flow)
    sending = flow.session.confirming
    return Chrome(
        online=online, connection=connection, connection_detail=connection_detail,
        state=state,
        title=title,
        language=t.code,
        # not while a booking is on its way to the server: the person must learn its outcome
        back=Action("back", t(M.BACK), flow.back, enabled=sending is None) if back else None,
        start_over=Action("start_over", t(M.START_OVER), flow.start_over, enabled=sending is None),
        help_text=t(M.CALL_STAFF),
        step=step,
        notices=flow.notices_text(),
        assist=assist_chrome(flow),
    )


def build_screen(flow):
    return build_assisted(flow, _BUILDERS)  # the plain screen unless assisted mode is at work


def _language(flow) -> ChoiceScreen:
    options = tuple(
        Action(f"lang-{lang.code}", lang.native_name, partial(flow.select_language, lang.code))
        for lang in LANGUAGES
    )
    return ChoiceScreen(Chrome(State.LANGUAGE, M.CHOOSE_LANGUAGE, flow.t.code, assist=assist_chrome(flow)), options)


def _home(flow) -> ChoiceScreen:
    t = flow.t
    book = Action("task-book", t(M.TASK_BOOK), flow.select_task, detail=t(M.TASK_BOOK_DETAIL))
    from kiosk.flow.payment_screens import home_options

    return ChoiceScreen(_chrome(flow, t(M.TITLE_HOME)), (book, *home_options(flow)))


def _category(flow) -> ChoiceScreen:
    t = flow.t
    options = tuple(
        Action(f"category-{c.value}", t(M.CATEGORY_NAMES[c]), partial(flow.select_category, c))
        for c in flow.cache.categories()
    )
    return ChoiceScreen(_chrome(flow, t(M.TITLE_CATEGORY)), options)


def _unit(flow) -> ChoiceScreen:
    t, code = flow.t, flow.t.code
    options = []
    for unit in flow.cache.units(flow.session.category):
        facility = flow.cache.facility(unit.facility_id)
        detail = [localized(facility.names, code), t(M.UNIT_CAPACITY, capacity=unit.capacity)]
        if unit.group_only:
            detail.append(t(M.UNIT_GROUP_ONLY))
        if (note := offline.unit_detail(flow, unit)) is not None:
            detail.append(note)
        options.append(
            Action(
                f"unit-{unit.id}",
                localized(unit.names, code),
                partial(flow.select_unit, unit.id),
                detail=" · ".join(detail),
            )
        )
    return ChoiceScreen(_chrome(flow, t(M.TITLE_UNIT)), tuple(options))


def _month_days(flow, year: int, month: int):
    unit = flow.unit()
    facility = flow.cache.facility(unit.facility_id)
    first = datetime(year, month, 1)
    last_day = calendar.monthrange(year, month)[1]
    busy = flow.cache.busy_between(unit.id, first, first + timedelta(days=last_day))
    return month_availability(
        unit, facility, year, month, busy, flow.clock.now(), Residency.RESIDENT,
        flow.bookings.rules_for(unit),
    )


def bookable_day(flow, day: date) -> bool:
    days = _month_days(flow, day.year, day.month)
    return any(d.day == day and d.state is DayState.AVAILABLE for d in days)


def _calendar(flow) -> CalendarScreen:
    t = flow.t
    year, month = flow.session.month
    by_day = {d.day: d for d in _month_days(flow, year, month)}
    weeks: list[tuple[DayCell | None, ...]] = []
    # Sunday-first weeks, as on Japanese calendars.
    for week in calendar.Calendar(firstweekday=6).monthdatescalendar(year, month):
        cells: list[DayCell | None] = []
        for day in week:
            info = by_day.get(day) if day.month == month else None
            if info is None:
                cells.append(None)
                continue
            badge, text = DAY_TEXT[info.state]
            state_text = t(text)
            if info.state is DayState.AVAILABLE:
                state_text = t(M.DAY_FREE_COUNT, free=info.free_slots, total=info.total_slots)
            label = t(M.DAY_ACCESSIBLE, date=format_skeleton("MMMEd", day, locale=t.locale),
                      state=state_text)
            action = Action(f"day-{day.isoformat()}", label, partial(flow.select_day, day),
                            enabled=info.state is DayState.AVAILABLE, badge=badge,
                            selected=flow.session.day == day)
            cells.append(DayCell(str(day.day), t(text), action))
        weeks.append(tuple(cells))
    names = get_day_names("abbreviated", locale=t.locale)
    weekdays = tuple(names[(i + 6) % 7] for i in range(7))  # babel: 0 = Monday
    today = flow.clock.now().date()
    at_first_month = (year, month) <= (today.year, today.month)
    unit = flow.unit()
    return CalendarScreen(
        chrome=_chrome(flow, t(M.TITLE_CALENDAR)),
        unit_name=localized(unit.names, t.code),
        month_label=format_skeleton("yMMMM", date(year, month, 1), locale=t.locale),
        previous_month=Action("month-previous", t(M.PREVIOUS_MONTH), flow.previous_month,
                              enabled=not at_first_month),
        next_month=Action("month-next", t(M.NEXT_MONTH), flow.next_month),
        weekdays=weekdays,
        weeks=tuple(weeks),
        legend=tuple((badge, t(text)) for badge, text in DAY_TEXT.values()),
        availability_note=offline.availability_note(flow, unit),
        availability_detail=" ".join(offline.availability_note(flow, unit, full=True)),
    )


def _day_slots(flow):
    unit = flow.unit()
    facility = flow.cache.facility(unit.facility_id)
    day = flow.session.day
    busy = flow.cache.busy_between(unit.id, *day_bounds(day))
    return day_availability(unit, facility, day, busy, flow.clock.now(), Residency.RESIDENT,
                            flow.bookings.rules_for(unit))


def free_slots(flow) -> list[Slot]:
    return [a.slot for a in _day_slots(flow) if a.state is SlotState.FREE]


def slot_name(flow, slot: Slot, *, for_staff: bool = False) -> str:
    """"Morning 9:00 AM to 12:00 PM"; ``for_staff`` adds the Japanese block name
    (午前) that staff know it by when the screen is in another language."""
    t = flow.t
    times = t(M.SLOT_TIME_RANGE, start=t.time(slot.start), end=t.time(slot.end))
    block = _block(flow, slot)
    if block is None:
        return times
    name = f"{block_name(t, block.code, block.names)} {times}"
    staff = staff_name(t, block.code, block.names) if for_staff else ""
    return f"{name} ({staff})" if staff else name


def _block(flow, slot: Slot):
    if slot.block_code:
        for block in flow.unit().blocks:
            if block.code == slot.block_code:
                return block
    return None


def _staff_label(flow, slot: Slot) -> str:
    block = _block(flow, slot)
    return staff_name(flow.t, block.code, block.names) if block else ""


def _time_blocks(flow) -> TimeBlocksScreen:
    t = flow.t
    s = flow.session
    actions = []
    for avail in _day_slots(flow):
        selected = avail.slot in s.slots
        state_text = t(M.SLOT_SELECTED) if selected else t(SLOT_TEXT[avail.state])
        actions.append(Action(
            f"slot-{avail.slot.start:%H%M}",
            slot_name(flow, avail.slot),
            partial(flow.toggle_slot, avail.slot),
            enabled=avail.state is SlotState.FREE or selected,
            selected=selected,
            detail=state_text,
            badge="✓" if selected else ("○" if avail.state is SlotState.FREE else "×"),
            staff_label=_staff_label(flow, avail.slot),
        ))
    return TimeBlocksScreen(
        chrome=_chrome(flow, t(M.TITLE_TIME_BLOCKS)),
        unit_name=localized(flow.unit().names, t.code),
        day_label=t.date(s.day, "full"),
        slots=tuple(actions),
        selection=t(M.SELECTED_COUNT, count=len(s.slots)) if s.slots else t(M.PICK_AT_LEAST_ONE),
        next=Action("next", t(M.CONTINUE), flow.select_slots, enabled=bool(s.slots)),
        availability_note=offline.availability_note(flow, flow.unit()),
        availability_detail=" ".join(offline.availability_note(flow, flow.unit(), full=True)),
    )


def _identify(flow) -> ChoiceScreen:
    t = flow.t
    guest = Action("identify-guest", t(M.IDENTIFY_GUEST),
                   partial(flow.select_identify_method, IdentifyMethod.GUEST),
                   detail=t(M.IDENTIFY_GUEST_DETAIL))
    from kiosk.flow.card_screens import identify_options  # the My Number card, if any

    return ChoiceScreen(_chrome(flow, t(M.TITLE_IDENTIFY)), identify_options(flow) + (guest,))


def _summary(flow) -> tuple[tuple[str, str], ...]:
    t = flow.t
    s = flow.session
    unit = flow.unit()
    facility = flow.cache.facility(unit.facility_id)
    place = f"{localized(facility.names, t.code)} {localized(unit.names, t.code)}"
    slots = s.booking.slots if s.booking else s.slots
    times = " / ".join(slot_name(flow, slot, for_staff=True) for slot in slots)
    rate = t(M.RATE_RESIDENT if s.guest.residency is Residency.RESIDENT else M.RATE_NON_RESIDENT)
    from kiosk.flow.card_screens import rate_text  # "(address on your My Number card)"

    rate = rate_text(flow, s.guest.residency, rate)
    rows = (
        (t(M.SUMMARY_PLACE), place),
        (t(M.SUMMARY_DAY), t.date(slots[0].start.date(), "full")),
        (t(M.SUMMARY_TIME), times),
        (t(M.SUMMARY_NAME), s.guest.name),
        (t(M.SUMMARY_RATE), rate),
    )
    # The city's notes for this unit (no food, a planning meeting ...), in the person's language.
    notes = ((t(M.SUMMARY_NOTES), localized(unit.notes, t.code)),
             (t(M.SUMMARY_ACCESS), localized(unit.barrier_free, t.code)))
    return rows + tuple(row for row in notes if row[1])


def _confirm(flow) -> ConfirmScreen:
    t, code = flow.t, flow.t.code
    s = flow.session
    quote = flow.bookings.quote(flow._draft())
    rows = tuple(
        FeeRow(fee_label(t, line.label),
               t(M.FEE_QUANTITY, quantity=line.quantity, unit_price=t.yen(line.unit_yen)),
               t.yen(line.amount_yen))
        for line in quote.lines
    )
    unit = flow.unit()
    residency = s.guest.residency or Residency.NON_RESIDENT
    per = len(s.slots)
    surcharges = tuple(
        Action(f"surcharge-{sc.code}", localized(sc.names, code),
               partial(flow.toggle_surcharge, sc.code), selected=sc.code in s.surcharges,
               detail=t.yen(sc.rate.for_(residency) * (per if sc.basis == "per_slot" else 1)))
        for sc in unit.surcharges
    )
    exemptions = (Action("exemption-none", t(M.EXEMPTION_NONE),
                         partial(flow.select_exemption, None), selected=s.exemption is None),)
    exemptions += tuple(
        Action(f"exemption-{ex.code}", localized(ex.names, code),
               partial(flow.select_exemption, ex.code), selected=s.exemption == ex.code,
               detail=f"-{ex.percent}%")
        for ex in flow.cache.city().exemptions.values()
    )
    return ConfirmScreen(
        chrome=_chrome(flow, t(M.TITLE_CONFIRM)),
        summary=_summary(flow),
        fee_title=t(M.FEE_TITLE),
        fee_rows=rows,
        total_label=t(M.FEE_TOTAL),
        total=t.yen(quote.total_yen),
        options_title=t(M.OPTIONS_TITLE),
        surcharges=surcharges,
        exemption_title=t(M.EXEMPTION_TITLE),
        exemptions=exemptions,
        exemption_note=t(M.EXEMPTION_NOTE),
        # while the server is asked (kiosk/flow/confirming.py) the button says so and
        # cannot be tapped again
        book=Action("book", t(M.BOOK_SENDING) if s.confirming else t(M.BOOK), flow.begin_book,
                    enabled=s.confirming is None),
    )


def _done(flow) -> DoneScreen:
    t = flow.t
    booking = flow.session.booking
    status = offline.done_status(flow)
    return DoneScreen(
        chrome=_chrome(flow, status.title or t(M.TITLE_DONE), back=False),
        code_label=t(M.DONE_CODE),
        code=booking.code,
        qr_label=t(M.DONE_QR),
        qr_png=qr_png(booking.code),
        summary=_summary(flow) + ((t(M.FEE_TOTAL), t.yen(booking.total_yen)),),
        message=t(M.DONE_MESSAGE) if status.show_usage else "",
        offline_message=status.lines[0] if status.tone == "provisional" else "",
        finish=Action("finish", t(M.DONE_FINISH), flow.start_over),
        tone=status.tone,
        status_lines=status.lines,
    )


_BUILDERS = {
    State.LANGUAGE: _language,
    State.HOME: _home,
    State.CATEGORY: _category,
    State.UNIT: _unit,
    State.CALENDAR: _calendar,
    State.TIME_BLOCKS: _time_blocks,
    State.IDENTIFY: _identify,
    State.CONFIRM: _confirm,
    State.DONE: _done,
}
# The My Number card's screens (kiosk/flow/card_screens.py).
from kiosk.flow.card_screens import BUILDERS as _CARD_BUILDERS  # noqa: E402

_BUILDERS.update(_CARD_BUILDERS)

from kiosk.flow.guest_screens import BUILDERS as _GUEST_BUILDERS  # noqa: E402

_BUILDERS.update(_GUEST_BUILDERS)

from kiosk.flow.payment_screens import BUILDERS as _PAYMENT_BUILDERS  # noqa: E402

_BUILDERS.update(_PAYMENT_BUILDERS)

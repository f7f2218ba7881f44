"""The kiosk session's states, events and the one explicit transition table.

Every screen is a state. Moving between screens happens only through ``next_state``;
anything not in the table is a bug and raises ``IllegalTransition`` instead of leaving
a resident on a half-built screen. Actions that stay on a screen (toggling a slot,
paging the month, choosing a surcharge) are not transitions and live in the flow.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    LANGUAGE = "language"
    HOME = "home"
    CATEGORY = "category"
    UNIT = "unit"
    CALENDAR = "calendar"
    TIME_BLOCKS = "time_blocks"
    IDENTIFY = "identify"
    # A guest (no card) answers one question per screen: name, phone, residency.
    GUEST_NAME = "guest_name"
    GUEST_PHONE = "guest_phone"
    GUEST_RESIDENCY = "guest_residency"
    CONFIRM = "confirm"
    DONE = "done"
    # My Number card (kiosk/flow/card_identify.py)
    CARD_INSERT = "card_insert"  # put the card on the reader; checking it
    CARD_PIN = "card_pin"  # the PIN pad
    CARD_READING = "card_reading"  # the card and the server at work
    CARD_CONSENT = "card_consent"  # may we read name, address, birth date, sex?
    CARD_FAILED = "card_failed"  # what went wrong, and what to do now
    # payments and My bookings (kiosk/flow/payment.py)
    PAY_CHOICE = "pay_choice"
    PAYING = "paying"
    PAY_FAILED = "pay_failed"
    RECEIPT = "receipt"
    COUNTER = "counter"
    MY_LOOKUP = "my_lookup"
    MY_BOOKING = "my_booking"
    MY_CANCEL = "my_cancel"
    MY_CANCELLED = "my_cancelled"


class Event(StrEnum):
    SELECT_LANGUAGE = "select_language"
    SELECT_TASK = "select_task"  # home: "book a facility" (later: "my bookings")
    SELECT_CATEGORY = "select_category"
    SELECT_UNIT = "select_unit"
    SELECT_DAY = "select_day"
    SELECT_SLOTS = "select_slots"  # the chosen time blocks are final for now
    SELECT_IDENTIFY_METHOD = "select_identify_method"
    SUBMIT_GUEST_NAME = "submit_guest_name"
    SUBMIT_GUEST_PHONE = "submit_guest_phone"
    SELECT_RESIDENCY = "select_residency"  # "do you live in <city>?": yes or no
    SELECT_BOOK = "select_book"  # confirm: book it
    SELECT_BOOK_TO_PAY = "select_book_to_pay"  # confirm: booked, and there is a fee to pay
    SELECT_MY_BOOKINGS = "select_my_bookings"  # home: "My bookings"
    PAY_QR = "pay_qr"  # pay now by QR (also: try again)
    PAY_COUNTER = "pay_counter"
    BOOK_ANOTHER = "book_another"  # book more, then pay for all together
    PAYMENT_PAID = "payment_paid"
    PAYMENT_FAILED = "payment_failed"  # declined, expired, or the person stopped
    LOOKUP = "lookup"  # My bookings: booking number + phone
    CANCEL_BOOKING = "cancel_booking"
    CONFIRM_CANCEL = "confirm_cancel"
    BACK = "back"
    START_OVER = "start_over"
    TIMEOUT = "timeout"
    # My Number card
    SELECT_CARD = "select_card"  # identify: "My Number card"
    CARD_READY = "card_ready"  # a My Number card with PIN tries to spare is on the reader
    SUBMIT_PIN = "submit_pin"
    CARD_WRONG_PIN = "card_wrong_pin"  # tries are left: the PIN pad again
    CARD_NEEDS_CONSENT = "card_needs_consent"  # first use (or offline): the items are needed
    CARD_CONSENTED = "card_consented"
    CARD_IDENTIFIED = "card_identified"
    CARD_FAILED = "card_failed"
    CARD_RETRY = "card_retry"
    CARD_WITHOUT = "card_without"  # "use without a card": the guest path


class IdentifyMethod(StrEnum):
    """How a person identifies. Each method owns the state(s) that follow IDENTIFY.

    Adding the My Number card or a user number means: a member here, its states in
    ``State``, and its rows in ``TRANSITIONS`` (and ``IDENTIFY_METHOD_STATES``).
    """

    GUEST = "guest"
    CARD = "card"


IDENTIFY_METHOD_STATES: dict[IdentifyMethod, State] = {
    IdentifyMethod.GUEST: State.GUEST_NAME,
    # IdentifyMethod.CARD has its own event (SELECT_CARD): choosing it starts the reader.
}
# Where BACK from the confirm screen leads, per method (the card's screens are done with).
CONFIRM_BACK_STATES: dict[IdentifyMethod, State] = {
    IdentifyMethod.GUEST: State.GUEST_RESIDENCY,
    IdentifyMethod.CARD: State.IDENTIFY,
}


class IllegalTransition(RuntimeError):
    def __init__(self, state: State, event: Event) -> None:
        super().__init__(f"event {event.value!r} is not allowed in state {state.value!r}")
        self.state = state
        self.event = event


# (state, event) -> next state. BACK, START_OVER and TIMEOUT are listed explicitly too,
# so the table alone answers "where can I go from here".
TRANSITIONS: dict[tuple[State, Event], State] = {
    (State.LANGUAGE, Event.SELECT_LANGUAGE): State.HOME,
    (State.LANGUAGE, Event.TIMEOUT): State.LANGUAGE,
    (State.HOME, Event.SELECT_TASK): State.CATEGORY,
    (State.HOME, Event.BACK): State.LANGUAGE,
    (State.CATEGORY, Event.SELECT_CATEGORY): State.UNIT,
    (State.CATEGORY, Event.BACK): State.HOME,
    (State.UNIT, Event.SELECT_UNIT): State.CALENDAR,
    (State.UNIT, Event.BACK): State.CATEGORY,
    (State.CALENDAR, Event.SELECT_DAY): State.TIME_BLOCKS,
    (State.CALENDAR, Event.BACK): State.UNIT,
    (State.TIME_BLOCKS, Event.SELECT_SLOTS): State.IDENTIFY,
    (State.TIME_BLOCKS, Event.BACK): State.CALENDAR,
    (State.IDENTIFY, Event.SELECT_IDENTIFY_METHOD): State.GUEST_NAME,
    (State.IDENTIFY, Event.BACK): State.TIME_BLOCKS,
    # The guest's questions, one per screen; BACK keeps every answer given.
    (State.GUEST_NAME, Event.SUBMIT_GUEST_NAME): State.GUEST_PHONE,
    (State.GUEST_NAME, Event.BACK): State.IDENTIFY,
    (State.GUEST_PHONE, Event.SUBMIT_GUEST_PHONE): State.GUEST_RESIDENCY,
    (State.GUEST_PHONE, Event.BACK): State.GUEST_NAME,
    (State.GUEST_RESIDENCY, Event.SELECT_RESIDENCY): State.CONFIRM,
    (State.GUEST_RESIDENCY, Event.BACK): State.GUEST_PHONE,
    (State.CONFIRM, Event.SELECT_BOOK): State.DONE,
    (State.CONFIRM, Event.BACK): State.GUEST_RESIDENCY,
    # My Number card: insert -> PIN -> reading -> confirm, or consent -> insert (the
    # card-info PIN) -> PIN -> reading -> confirm. "Use without a card" always offered.
    (State.IDENTIFY, Event.SELECT_CARD): State.CARD_INSERT,
    (State.CARD_INSERT, Event.CARD_READY): State.CARD_PIN,
    (State.CARD_INSERT, Event.CARD_FAILED): State.CARD_FAILED,
    (State.CARD_INSERT, Event.CARD_WITHOUT): State.GUEST_NAME,
    (State.CARD_INSERT, Event.BACK): State.IDENTIFY,
    (State.CARD_PIN, Event.SUBMIT_PIN): State.CARD_READING,
    (State.CARD_PIN, Event.CARD_FAILED): State.CARD_FAILED,
    (State.CARD_PIN, Event.CARD_WITHOUT): State.GUEST_NAME,
    (State.CARD_PIN, Event.BACK): State.IDENTIFY,
    (State.CARD_READING, Event.CARD_IDENTIFIED): State.CONFIRM,
    (State.CARD_READING, Event.CARD_NEEDS_CONSENT): State.CARD_CONSENT,
    (State.CARD_READING, Event.CARD_WRONG_PIN): State.CARD_PIN,
    (State.CARD_READING, Event.CARD_FAILED): State.CARD_FAILED,
    (State.CARD_CONSENT, Event.CARD_CONSENTED): State.CARD_INSERT,
    (State.CARD_CONSENT, Event.CARD_WITHOUT): State.GUEST_NAME,
    (State.CARD_CONSENT, Event.BACK): State.IDENTIFY,
    (State.CARD_FAILED, Event.CARD_RETRY): State.CARD_INSERT,
    (State.CARD_FAILED, Event.CARD_WITHOUT): State.GUEST_NAME,
    (State.CARD_FAILED, Event.BACK): State.IDENTIFY,
    # Payments: a booking the server confirmed that costs something leads to the choice
    # of how to pay; "My bookings" from home.
    (State.CONFIRM, Event.SELECT_BOOK_TO_PAY): State.PAY_CHOICE,
    (State.HOME, Event.SELECT_MY_BOOKINGS): State.MY_LOOKUP,
    (State.PAY_CHOICE, Event.PAY_QR): State.PAYING,
    (State.PAY_CHOICE, Event.PAY_COUNTER): State.COUNTER,
    (State.PAY_CHOICE, Event.BOOK_ANOTHER): State.CATEGORY,
    (State.PAYING, Event.PAYMENT_PAID): State.RECEIPT,
    (State.PAYING, Event.PAYMENT_FAILED): State.PAY_FAILED,
    (State.PAY_FAILED, Event.PAY_QR): State.PAYING,
    (State.PAY_FAILED, Event.PAY_COUNTER): State.COUNTER,
    (State.PAY_FAILED, Event.PAYMENT_PAID): State.RECEIPT,  # paid at the last moment after all
    (State.MY_LOOKUP, Event.LOOKUP): State.MY_BOOKING,
    (State.MY_LOOKUP, Event.BACK): State.HOME,
    (State.MY_BOOKING, Event.PAY_QR): State.PAYING,
    (State.MY_BOOKING, Event.CANCEL_BOOKING): State.MY_CANCEL,
    (State.MY_BOOKING, Event.BACK): State.MY_LOOKUP,
    (State.MY_CANCEL, Event.CONFIRM_CANCEL): State.MY_CANCELLED,
    (State.MY_CANCEL, Event.BACK): State.MY_BOOKING,
}

# Every screen after the language screen offers "start over", and any screen times out.
for _state in State:
    if _state is not State.LANGUAGE:
        TRANSITIONS[(_state, Event.START_OVER)] = State.LANGUAGE
        TRANSITIONS[(_state, Event.TIMEOUT)] = State.LANGUAGE


def next_state(state: State, event: Event) -> State:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def allowed_events(state: State) -> frozenset[Event]:
    return frozenset(event for (s, event) in TRANSITIONS if s is state)

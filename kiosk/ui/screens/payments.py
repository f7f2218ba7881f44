"""The views of the payment and My bookings screens, by state (registered in __init__)."""

from __future__ import annotations

from kiosk.flow.states import State
from kiosk.ui.screens import (
    counter,
    my_booking,
    my_cancel,
    my_cancelled,
    my_lookup,
    pay_choice,
    pay_failed,
    paying,
    receipt,
)

VIEWS = {
    State.PAY_CHOICE: pay_choice.view,
    State.PAYING: paying.view,
    State.PAY_FAILED: pay_failed.view,
    State.RECEIPT: receipt.view,
    State.COUNTER: counter.view,
    State.MY_LOOKUP: my_lookup.view,
    State.MY_BOOKING: my_booking.view,
    State.MY_CANCEL: my_cancel.view,
    State.MY_CANCELLED: my_cancelled.view,
}

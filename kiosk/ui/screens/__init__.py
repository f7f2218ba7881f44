"""One module per screen; ``view_for`` picks the module for a view-model's state."""

from __future__ import annotations

from kiosk.flow.states import State
from kiosk.ui.screens import (
    calendar,
    card_consent,
    card_failed,
    card_insert,
    card_pin,
    card_reading,
    category,
    confirm,
    done,
    guest_name,
    guest_phone,
    guest_residency,
    home,
    identify,
    language,
    time_blocks,
    unit,
)

VIEWS = {
    State.LANGUAGE: language.view,
    State.HOME: home.view,
    State.CATEGORY: category.view,
    State.UNIT: unit.view,
    State.CALENDAR: calendar.view,
    State.TIME_BLOCKS: time_blocks.view,
    State.IDENTIFY: identify.view,
    State.GUEST_NAME: guest_name.view,
    State.GUEST_PHONE: guest_phone.view,
    State.GUEST_RESIDENCY: guest_residency.view,
    State.CONFIRM: confirm.view,
    State.DONE: done.view,
    State.CARD_INSERT: card_insert.view,
    State.CARD_PIN: card_pin.view,
    State.CARD_READING: card_reading.view,
    State.CARD_CONSENT: card_consent.view,
    State.CARD_FAILED: card_failed.view,
}

from kiosk.ui.screens import payments as _payments  # noqa: E402

VIEWS.update(_payments.VIEWS)

from kiosk.ui.screens import helper_pin as _helper_pin  # noqa: E402  (assisted mode)

VIEWS["helper_pin"] = _helper_pin.view


def view_for(screen, run, touch):
    # a screen shown over the flow's state (the staff PIN pad) names its own view
    return VIEWS[getattr(screen, "view_key", None) or screen.chrome.state](screen, run, touch)

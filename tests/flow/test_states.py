from __future__ import annotations

import pytest

from kiosk.flow.states import (
    TRANSITIONS,
    Event,
    IllegalTransition,
    State,
    allowed_events,
    next_state,
)


def test_every_screen_after_language_offers_start_over_and_times_out():
    for state in State:
        if state is State.LANGUAGE:
            assert Event.START_OVER not in allowed_events(state)
            continue
        assert next_state(state, Event.START_OVER) is State.LANGUAGE
        assert next_state(state, Event.TIMEOUT) is State.LANGUAGE


def test_back_goes_to_the_previous_screen_of_the_booking_path():
    path = [State.HOME, State.CATEGORY, State.UNIT, State.CALENDAR, State.TIME_BLOCKS,
            State.IDENTIFY, State.GUEST_NAME, State.GUEST_PHONE, State.GUEST_RESIDENCY, State.CONFIRM]
    assert next_state(State.HOME, Event.BACK) is State.LANGUAGE
    for earlier, later in zip(path, path[1:]):
        assert next_state(later, Event.BACK) is earlier


def test_done_has_no_back_and_language_has_no_back():
    with pytest.raises(IllegalTransition):
        next_state(State.DONE, Event.BACK)
    with pytest.raises(IllegalTransition):
        next_state(State.LANGUAGE, Event.BACK)


def test_every_state_is_reachable_from_language():
    seen, todo = {State.LANGUAGE}, [State.LANGUAGE]
    while todo:
        state = todo.pop()
        for (source, _event), target in TRANSITIONS.items():
            if source is state and target not in seen:
                seen.add(target)
                todo.append(target)
    assert seen == set(State)


@pytest.mark.parametrize("state,event", [
    (State.LANGUAGE, Event.SELECT_BOOK),
    (State.HOME, Event.SELECT_DAY),
    (State.CONFIRM, Event.SELECT_LANGUAGE),
    (State.DONE, Event.SELECT_BOOK),
])
def test_illegal_transitions_raise(state, event):
    with pytest.raises(IllegalTransition) as err:
        next_state(state, event)
    assert err.value.state is state and err.value.event is event

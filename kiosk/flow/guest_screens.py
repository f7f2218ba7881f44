"""View-models of the guest's three screens (registered in screens.py): name, phone,
residency. The logic is kiosk/flow/guest_details.py; the Flet views are
kiosk/ui/screens/guest_*.py."""

from __future__ import annotations

from functools import partial

from kiosk.domain.model import Residency
from kiosk.flow import messages as M
from kiosk.flow.guest_details import NAME_MAX_CHARS
from kiosk.flow.states import State
from kiosk.flow.viewmodels import Action, GuestFieldScreen, GuestResidencyScreen

PHONE_FIELD_CHARS = 16  # 090-1234-5678 with room for spaces


def _name(flow) -> GuestFieldScreen:
    from kiosk.flow.screens import _chrome  # late: screens registers this module

    t = flow.t
    return GuestFieldScreen(
        chrome=_chrome(flow, t(M.TITLE_GUEST_NAME)),
        field="name", field_label=t(M.NAME_LABEL), value=flow.session.guest.name,
        max_length=NAME_MAX_CHARS, edit=flow.guest.edit_name,
        next=Action("next", t(M.CONTINUE), flow.guest.submit_name),
    )


def _phone(flow) -> GuestFieldScreen:
    from kiosk.flow.screens import _chrome

    t = flow.t
    return GuestFieldScreen(
        chrome=_chrome(flow, t(M.TITLE_GUEST_PHONE)),
        field="phone", field_label=t(M.PHONE_LABEL), value=flow.session.guest.phone,
        max_length=PHONE_FIELD_CHARS, edit=flow.guest.edit_phone,
        next=Action("next", t(M.CONTINUE), flow.guest.submit_phone),
    )


def _residency(flow) -> GuestResidencyScreen:
    from kiosk.flow.screens import _chrome

    t = flow.t
    chosen = flow.session.guest.residency
    options = tuple(
        Action(action_id, t(label), partial(flow.guest.choose_residency, value),
               selected=chosen is value, badge="✓" if chosen is value else "")
        for action_id, label, value in (("resident-yes", M.RESIDENCY_YES, Residency.RESIDENT),
                                        ("resident-no", M.RESIDENCY_NO, Residency.NON_RESIDENT))
    )
    return GuestResidencyScreen(
        chrome=_chrome(flow, t(M.RESIDENCY_QUESTION, city=flow.city_name())),
        note=t(M.RESIDENCY_NOTE),
        options=options,
    )


BUILDERS = {
    State.GUEST_NAME: _name,
    State.GUEST_PHONE: _phone,
    State.GUEST_RESIDENCY: _residency,
}

"""The kiosk's staff-call sender against a real server through a real proxy: a call
made while the network is cut is queued and reaches staff once the link is back, once
however often it was sent; a cancel reaches them too; staff's acknowledgement comes
back to the kiosk."""

from __future__ import annotations

import time

from kiosk.staff_calls import CallStatus, StaffCall

from .conftest import CallLink


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_offline_call_is_queued_then_sent_once(call_link: CallLink) -> None:
    proxy, sender, staff = call_link.proxy, call_link.sender, call_link.staff
    proxy.down = True
    call = StaffCall("assist-test-call-1", "confirm", "screen", "vi")
    sender.send(call)
    sender.send(call)  # a second tap
    assert sender.wait_delivered(call.call_id, 0.6) is False
    assert sender.status(call.call_id) is CallStatus.QUEUED
    assert staff.get("/v1/staff/calls").json() == []
    proxy.down = False
    assert wait_for(lambda: sender.status(call.call_id) is CallStatus.SENT)
    calls = staff.get("/v1/staff/calls").json()
    assert [(c["call_id"], c["kiosk"], c["screen"], c["language"]) for c in calls] == [
        ("assist-test-call-1", "library-1", "confirm", "vi")]
    # staff are on their way: the kiosk learns it
    staff.post("/v1/staff/calls/assist-test-call-1/acknowledge")
    assert wait_for(lambda: sender.status(call.call_id) is CallStatus.ACKNOWLEDGED)
    # the person cancels while the network is cut again: it reaches staff later
    proxy.down = True
    sender.cancel(call.call_id)
    assert sender.status(call.call_id) is CallStatus.CANCELLED
    time.sleep(0.5)
    assert len(staff.get("/v1/staff/calls").json()) == 1
    proxy.down = False
    assert wait_for(lambda: staff.get("/v1/staff/calls").json() == [])
    # the server has the cancel; the sender drops it from its queue once it reads the answer
    assert wait_for(lambda: sender.pending() == 0)


def test_a_call_cancelled_before_it_went_out_never_reaches_staff(call_link: CallLink) -> None:
    proxy, sender = call_link.proxy, call_link.sender
    proxy.down = True
    sender.send(StaffCall("assist-test-call-2", "calendar"))
    sender.cancel("assist-test-call-2")
    proxy.down = False
    time.sleep(0.8)
    assert call_link.staff.get("/v1/staff/calls", params={"include_closed": True}).json() == []
    assert sender.pending() == 0

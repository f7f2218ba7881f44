"""PaymentService and BookingOperations on the server's database (SQLite file and real
PostgreSQL) against the real simulator process, webhooks over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync.payments import (
    NotPayable,
    PaymentInProgress,
    PaymentState,
    reconcile,
)
from sync.payments import bookkeeping as bk
from sync.payments.service import STAFF_COUNTER_REFUND, STAFF_PAID_AFTER_RELEASE

from .conftest import TENANT, World, open_day
from .helpers import city_now, wait_until

S = PaymentState


def paid_row(w: World, booking_id: str) -> dict | None:
    with w.db.read() as c:
        info = bk.load(c, TENANT, booking_id)
    assert info is not None
    return info.paid


def state(w: World, payment_id: str) -> PaymentState:
    return w.service.ledger.view(payment_id).state


def code_of(w: World, payment_id: str) -> str:
    return w.service.ledger.view(payment_id).code_id


def test_pay_two_bookings_together_by_webhook(world: World) -> None:
    a, b = world.book(block="morning"), world.book(block="afternoon")
    view = world.service.start(TENANT, [a, b], city_now())
    assert view.state is S.PENDING and view.url.startswith(world.sim.url + "/pay/")
    with world.db.read() as c:
        fees = [bk.load(c, TENANT, x).total_yen for x in (a, b)]
    assert view.amount_yen == sum(fees) > 0  # the server's own fees, not the kiosk's
    again = world.service.start(TENANT, [a, b], city_now())  # a second tap: the same payment
    assert again.payment_id == view.payment_id
    assert world.sim.approve(view.code_id).status_code == 200
    wait_until(lambda: state(world, view.payment_id) is S.COMPLETED)
    wait_until(lambda: paid_row(world, a) and paid_row(world, b))
    assert paid_row(world, a)["payment_id"] == view.payment_id
    with pytest.raises(NotPayable) as caught:
        world.service.start(TENANT, [a], city_now())
    assert caught.value.code == "already_paid"
    history = [e.state for e in world.service.ledger.history(view.payment_id)]
    assert history == [S.CREATED, S.PENDING, S.COMPLETED]


def test_decline_then_try_again_gives_a_new_payment(world: World) -> None:
    a = world.book()
    first = world.service.start(TENANT, [a], city_now())
    world.sim.decline(first.code_id)
    wait_until(lambda: state(world, first.payment_id) is S.DECLINED)
    second = world.service.start(TENANT, [a], city_now())
    assert second.payment_id != first.payment_id and second.state is S.PENDING
    world.sim.approve(second.code_id)
    wait_until(lambda: paid_row(world, a))
    assert world.sim.payment(first.payment_id)["status"] == "FAILED"


def test_expiry_and_abandon(world: World) -> None:
    a, b = world.book(block="morning"), world.book(block="evening")
    expiring = world.service.start(TENANT, [a], city_now())
    world.sim.expire(expiring.payment_id)
    wait_until(lambda: state(world, expiring.payment_id) is S.EXPIRED)
    given_up = world.service.start(TENANT, [b], city_now())
    assert world.service.abandon(given_up.payment_id, city_now()).state is S.CANCELLED
    assert world.sim.approve(given_up.code_id).status_code == 409  # too late to pay
    assert paid_row(world, a) is None and paid_row(world, b) is None


def test_refused_bookings(world: World) -> None:
    with pytest.raises(NotPayable) as caught:
        world.service.start(TENANT, ["no-such-booking"], city_now())
    assert caught.value.code == "unknown_booking"
    a = world.book()
    world.ops.cancel_booking(TENANT, a, city_now(), by="test")
    with pytest.raises(NotPayable) as caught:
        world.service.start(TENANT, [a], city_now())
    assert caught.value.code == "not_confirmed"


def test_polling_fallback_when_webhooks_are_lost(world: World) -> None:
    world.sim.set_faults(drop_webhooks=True)
    a = world.book()
    view = world.service.start(TENANT, [a], city_now())
    world.sim.approve(view.code_id)
    assert state(world, view.payment_id) is S.PENDING  # no webhook came
    assert world.service.status(TENANT, view.payment_id, city_now()).state is S.COMPLETED
    assert paid_row(world, a)["payment_id"] == view.payment_id


def test_duplicate_and_out_of_order_webhooks_change_nothing_twice(world: World) -> None:
    world.sim.set_faults(duplicate_webhooks=True, reorder_webhooks=True, reorder_hold_seconds=0.3)
    a = world.book()
    view = world.service.start(TENANT, [a], city_now())
    world.sim.approve(view.code_id)
    assert world.service.status(TENANT, view.payment_id, city_now()).state is S.COMPLETED
    world.service.refund(view.payment_id, 100, "partial", city_now())
    wait_until(world.sim.webhooks_idle)
    wait_until(lambda: len(world.receiver.received) >= 4)
    history = [e.state for e in world.service.ledger.history(view.payment_id)]
    assert history.count(S.COMPLETED) == 1 and history[-1] is S.PARTIALLY_REFUNDED
    assert world.service.ledger.view(view.payment_id).refunded_yen == 100


def test_completed_after_release_is_refunded_and_listed_for_staff(world: World) -> None:
    world.sim.set_faults(late_completion=True, late_completion_delay_seconds=0.5, drop_webhooks=True)
    a = world.book()
    view = world.service.start(TENANT, [a], city_now())
    gave_up = world.service.abandon(view.payment_id, city_now())
    assert gave_up.state is S.PENDING  # the provider accepted the cancel, nothing final yet
    world.ops.cancel_booking(TENANT, a, city_now(), by="kiosk")  # released meanwhile
    wait_until(lambda: world.sim.payment(view.payment_id)["status"] == "COMPLETED")
    report = reconcile(world.service, city_now() + timedelta(minutes=10))
    assert view.payment_id in report.checked
    final = world.service.ledger.view(view.payment_id)
    assert final.state is S.REFUNDED and final.refunded_yen == view.amount_yen
    assert world.sim.payment(view.payment_id)["refundedAmount"] == view.amount_yen
    items = world.service.ledger.staff_items(TENANT)
    assert [(i.kind, i.booking_id) for i in items] == [(STAFF_PAID_AFTER_RELEASE, a)]
    assert paid_row(world, a) is None


def test_counter_payment_and_its_refusals(world: World) -> None:
    a, b = world.book(block="morning"), world.book(block="afternoon")
    view = world.service.start(TENANT, [b], city_now())
    with pytest.raises(PaymentInProgress):
        world.ops.counter_paid(TENANT, b, "staff:1", city_now())
    world.service.abandon(view.payment_id, city_now())
    world.ops.counter_paid(TENANT, b, "staff:1", city_now())
    info = world.ops.counter_paid(TENANT, a, "staff:1", city_now(), "cash")
    assert info.paid["method"] == "counter"
    assert world.ops.counter_paid(TENANT, a, "staff:1", city_now()).paid == info.paid  # idempotent
    with pytest.raises(NotPayable):
        world.service.start(TENANT, [a], city_now())


def test_cancel_before_deadline_refunds_in_full(world: World) -> None:
    a = world.book()
    view = world.service.start(TENANT, [a], city_now())
    world.sim.approve(view.code_id)
    wait_until(lambda: paid_row(world, a))
    looked = world.ops.lookup(TENANT, world.code(a), "０９０１２３４５６７８", city_now())
    assert looked is not None and looked.cancellable and looked.refund_percent_now == 100
    assert world.ops.lookup(TENANT, world.code(a), "090-0000-0000", city_now()) is None
    outcome = world.ops.cancel_booking(TENANT, a, city_now(), by="kiosk")
    assert outcome.refund_yen == view.amount_yen and outcome.refund_done is True
    assert world.sim.payment(view.payment_id)["status"] == "REFUNDED"
    assert state(world, view.payment_id) is S.REFUNDED
    again = world.ops.cancel_booking(TENANT, a, city_now(), by="kiosk")
    assert again.already and world.sim.payment(view.payment_id)["refundedAmount"] == view.amount_yen
    assert TENANT in world.changes  # kiosks hear the time is free again


def test_cancel_after_deadline_refunds_nothing(world: World) -> None:
    a = world.book(day=open_day(min_days=2))  # inside the 3-day cancellation deadline
    view = world.service.start(TENANT, [a], city_now())
    world.sim.approve(view.code_id)
    wait_until(lambda: paid_row(world, a))
    outcome = world.ops.cancel_booking(TENANT, a, city_now(), by="kiosk")
    assert outcome.refund_yen == 0 and outcome.refund_done is None
    assert world.sim.payment(view.payment_id)["status"] == "COMPLETED"


def test_cancel_of_a_counter_payment_is_a_staff_cash_refund(world: World) -> None:
    a = world.book()
    world.ops.counter_paid(TENANT, a, "staff:1", city_now())
    outcome = world.ops.cancel_booking(TENANT, a, city_now(), by="kiosk")
    assert outcome.counter_refund and outcome.refund_yen > 0
    assert [i.kind for i in world.service.ledger.staff_items(TENANT)] == [STAFF_COUNTER_REFUND]


def test_unpaid_booking_released_after_its_deadline(world: World) -> None:
    a, b = world.book(block="morning"), world.book(block="afternoon")
    world.ops.counter_paid(TENANT, b, "staff:1", city_now())
    assert world.ops.release_unpaid(city_now()) == []
    later = city_now() + timedelta(days=8)  # past the sample city's unpaid_hold_days (7)
    pending = world.service.start(TENANT, [a], city_now())
    assert world.ops.release_unpaid(city_now() + timedelta(days=6)) == []  # not yet due
    world.service.abandon(pending.payment_id, city_now())
    assert world.ops.release_unpaid(later) == [a]
    with world.db.read() as c:
        assert bk.load(c, TENANT, a).status == "cancelled"
        assert bk.load(c, TENANT, b).status == "confirmed"
        assert [e["kind"] for e in bk.events(c, TENANT, a)] == [bk.EV_RELEASED]


def test_a_pending_qr_payment_holds_the_release_until_it_expires(world: World) -> None:
    from dataclasses import replace

    world.service.config = replace(world.config, qr_ttl_s=9 * 86400)  # a code valid for 9 days
    a = world.book()
    view = world.service.start(TENANT, [a], city_now())
    assert world.ops.release_unpaid(city_now() + timedelta(days=8)) == []  # still payable
    # past deadline and QR expiry: released, even though the provider was not told yet
    released = world.ops.release_unpaid(view.record.expires_at + timedelta(seconds=1))
    assert released == [a]

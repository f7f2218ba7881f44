"""A seeded random run of bookings, payments, people, staff and provider faults against
the real simulator and the server's database; then the money invariants must hold."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from sync.payments import (
    BookingsAlreadyInPayment,
    NotPayable,
    PaymentInProgress,
    ProviderError,
    RefundNotPossible,
    reconcile,
)
from sync.payments.records import CHARGED, UNSETTLED

from sync.payments import bookkeeping as bk

from .conftest import TENANT, World, open_day
from .helpers import city_now
from .invariants import check_invariants, settle_everything

FAULTS = [
    {}, {"delay_seconds": 0.2}, {"error_rate": 0.3, "error_status": 503},
    {"hang_count": 1, "hang_seconds": 1.5}, {"duplicate_webhooks": True},
    {"reorder_webhooks": True, "reorder_hold_seconds": 0.2}, {"drop_webhooks": True},
    {"late_completion": True, "late_completion_delay_seconds": 0.2},
]


@pytest.mark.parametrize("seed", [11, 2026])
def test_random_run_keeps_the_money_right(world: World, seed: int) -> None:
    rng = random.Random(seed)
    bookings: list[str] = []
    payments: list[str] = []
    slots = sorted({(open_day(min_days=d), b) for d in range(10, 24) for b in ("morning", "afternoon", "evening")})
    rng.shuffle(slots)
    log: list[str] = []

    def pending() -> list[str]:
        return [p for p in payments if world.service.ledger.view(p).state in UNSETTLED]

    def unpaid() -> list[str]:
        with world.db.read() as c:
            infos = [bk.load(c, TENANT, b) for b in bookings]
        return [i.id for i in infos if i and i.holds and i.paid is None]

    for step in range(90):
        action = rng.choice(["book", "book", "book", "start", "start", "start", "approve", "approve", "decline",
                             "expire", "abandon", "cancel", "counter", "faults", "release",
                             "refund", "poll"])
        now = city_now()
        try:
            if action == "book" and slots:
                day, block = slots.pop()
                bookings.append(world.book(unit=rng.choice(["chuo-hall", "chuo-meeting-1"]), day=day, block=block))
            elif action == "start" and bookings:
                # mostly bookings a person could pay now; sometimes any (refusals are fine)
                pool = unpaid() if rng.random() < 0.8 else bookings
                if not pool:
                    continue
                chosen = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))
                payments.append(world.service.start(TENANT, chosen, now).payment_id)
            elif action in ("approve", "decline", "expire", "abandon", "poll") and (waiting := pending()):
                pid = rng.choice(waiting)  # once: a webhook may settle it meanwhile
                view = world.service.ledger.view(pid)
                if action == "approve" and view.code_id:
                    world.sim.approve(view.code_id)
                elif action == "decline" and view.code_id:
                    world.sim.decline(view.code_id)
                elif action == "expire":
                    world.sim.expire(pid)
                elif action == "abandon":
                    world.service.abandon(pid, now)
                else:
                    world.service.status(TENANT, pid, now)
            elif action == "cancel" and bookings:
                world.ops.cancel_booking(TENANT, rng.choice(bookings), now, by="random")
            elif action == "counter" and bookings:
                world.ops.counter_paid(TENANT, rng.choice(bookings), "staff:r", now)
            elif action == "faults":
                world.sim.set_faults(**rng.choice(FAULTS), seed=seed + step)
            elif action == "release":
                world.ops.release_unpaid(now + timedelta(days=rng.choice([0, 0, 0, 8])))
            elif action == "refund":
                charged = [p for p in payments if world.service.ledger.view(p).state in CHARGED]
                if charged:
                    world.service.refund(rng.choice(charged), rng.randint(1, 500), "goodwill", now)
            log.append(action)
        except (NotPayable, BookingsAlreadyInPayment, PaymentInProgress, ProviderError,
                RefundNotPossible) as exc:
            log.append(f"{action}: {type(exc).__name__}")
    settle_everything(lambda: reconcile(world.service, city_now() + timedelta(hours=1)), world.sim)
    problems = check_invariants(world.db, {p: world.sim.payment(p) for p in payments
                                           if p in world.sim.payments()})
    assert problems == [], (problems, log)
    assert len(payments) >= 3, log  # the run exercised payments at all


def test_the_checker_catches_broken_books(world: World) -> None:
    """The invariants are not vacuous: money outside the ledger, a booking marked paid
    with nothing behind it and a payment left waiting are all reported."""
    stray = world.service.provider.create_code("pay-stray", 500, city_now() + timedelta(minutes=5), "x")
    world.sim.approve(stray.code_id)
    a = world.book()
    with world.db.write() as c:
        c.execute("INSERT INTO booking_payments (tenant, booking_id, method, payment_id, amount_yen,"
                  " by_whom, at) VALUES (?, ?, 'qr', 'pay-ghost', 100, 'x', ?)", (TENANT, a, city_now()))
    waiting = world.service.start(TENANT, [world.book(block="evening")], city_now())
    problems = check_invariants(world.db, world.sim.payments())
    text = "\n".join(problems)
    assert "pay-stray: the provider has it" in text
    assert "paid by pay-ghost, which took no money" in text
    assert f"{waiting.payment_id}: still pending" in text

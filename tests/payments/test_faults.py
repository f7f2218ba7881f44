"""Every fault the simulator injects, through the real server and simulator processes;
afterwards the money invariants hold (tests/payments/invariants.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from sync.server.db import Database

from .conftest import PG_ADMIN_URL, _pg_admin
from .helpers import wait_until
from .invariants import check_invariants, settle_everything
from .stack import PayStack


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PayStack]:
    tmp = tmp_path_factory.mktemp("faults")
    admin = name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'server.sqlite'}"
    else:
        admin = _pg_admin()
        name = f"mdg_pay_{uuid.uuid4().hex[:12]}"
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    s = PayStack(url, tmp)
    s.db_url = url  # type: ignore[attr-defined]
    yield s
    s.close()
    if admin is not None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(autouse=True)
def invariants_hold_after(stack: PayStack) -> Iterator[None]:
    stack.sim.set_faults()
    yield
    settle_everything(lambda: stack.staff.post("/v1/staff/payments/reconcile"), stack.sim)
    db = Database(stack.db_url)  # type: ignore[attr-defined]
    try:
        problems = check_invariants(db, stack.sim.payments())
    finally:
        db.close()
    assert problems == []


def start(stack: PayStack, *booking_ids: str, tries: int = 5) -> dict:
    """What a kiosk does: ask, and on 503 ask again (the same charge, never a second)."""
    for _ in range(tries):
        r = stack.kiosk.post("/v1/payments", json={"booking_ids": list(booking_ids)})
        if r.status_code == 201:
            return r.json()
        assert r.status_code == 503 and r.headers["retry-after"], r.text
        assert r.json()["detail"]["code"] == "provider_unavailable"
    raise AssertionError("no payment started")


def pay(stack: PayStack, payment: dict) -> dict:
    assert stack.sim.approve(payment["qr_url"].rsplit("/", 1)[1]).status_code == 200
    return stack.wait_state(payment["payment_id"], "completed")


def test_slow_answers(stack: PayStack) -> None:
    stack.sim.set_faults(delay_seconds=0.4)
    a = stack.book()
    done = pay(stack, start(stack, a["id"]))
    assert [r["booking_id"] for r in done["receipts"]] == [a["id"]]


def test_timeouts_on_create_never_make_a_second_charge(stack: PayStack) -> None:
    stack.sim.set_faults(hang_count=3, hang_seconds=2.5, operations=["create"])
    a = stack.book()
    payment = start(stack, a["id"])
    mine = [p for p in stack.sim.payments().values() if a["code"] in p["orderDescription"]]
    assert len(mine) == 1 and mine[0]["merchantPaymentId"] == payment["payment_id"]
    pay(stack, payment)


def test_5xx_on_every_call_kind(stack: PayStack) -> None:
    stack.sim.set_faults(error_count=1, error_status=503)
    a = stack.book()
    payment = start(stack, a["id"])
    stack.sim.set_faults(error_rate=0.5, error_status=500, seed=7, operations=["status", "refund"])
    stack.sim.approve(payment["qr_url"].rsplit("/", 1)[1])
    stack.wait_state(payment["payment_id"], "completed")
    proof = {"code": a["code"], "phone": a["phone"]}
    r = stack.kiosk.post(f"/v1/bookings/{a['id']}/cancel", json=proof)
    assert r.status_code == 200 and r.json()["refund_yen"] == a["total_yen"]
    # a refund whose answer was lost is retried by reconciliation with the same id


def test_duplicate_webhooks(stack: PayStack) -> None:
    stack.sim.set_faults(duplicate_webhooks=True)
    a = stack.book()
    pay(stack, start(stack, a["id"]))
    wait_until(stack.sim.webhooks_idle)


def test_out_of_order_webhooks(stack: PayStack) -> None:
    stack.sim.set_faults(reorder_webhooks=True, reorder_hold_seconds=0.5, drop_webhooks=False)
    a = stack.book()
    payment = start(stack, a["id"])
    stack.sim.approve(payment["qr_url"].rsplit("/", 1)[1])
    wait_until(stack.sim.webhooks_idle, timeout=10)
    assert stack.wait_state(payment["payment_id"], "completed")["receipts"]


def test_lost_webhooks_polling_fallback(stack: PayStack) -> None:
    stack.sim.set_faults(drop_webhooks=True)
    a, b = stack.book(block="afternoon"), stack.book(block="evening")
    payment = start(stack, a["id"], b["id"])
    assert len(pay(stack, payment)["receipts"]) == 2


def test_completed_after_the_kiosk_gave_up(stack: PayStack) -> None:
    stack.sim.set_faults(late_completion=True, late_completion_delay_seconds=0.5)
    a = stack.book()
    payment = start(stack, a["id"])
    stack.kiosk.post(f"/v1/payments/{payment['payment_id']}/cancel")
    # the booking was still held: the late charge pays it (no refund needed)
    done = stack.wait_state(payment["payment_id"], "completed")
    assert [r["booking_id"] for r in done["receipts"]] == [a["id"]]

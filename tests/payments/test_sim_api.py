"""The provider adapter against the real simulator over loopback HTTP."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from sync.payments import (
    PaymentNotFound,
    ProviderAuthFailed,
    ProviderClient,
    ProviderConflict,
    ProviderRejected,
    ProviderStatus,
    ProviderTimeout,
    ProviderUnavailable,
)

from .conftest import Env, make_provider
from .helpers import city_now


def pid() -> str:
    return "pay-" + uuid.uuid4().hex


def test_create_then_pay_on_the_customer_page(env: Env) -> None:
    mpid = pid()
    created = env.provider.create_code(mpid, 1200, city_now() + timedelta(minutes=5), "ホール 午前")
    assert created.status is ProviderStatus.CREATED
    assert created.url.startswith(env.sim.url + "/pay/") and created.deeplink
    info = env.sim.http.get(f"/pay/{created.code_id}/info").json()
    assert info == {"merchant": "みどり市 施設予約", "amount": 1200, "description": "ホール 午前",
                    "status": "CREATED", "expiresAt": info["expiresAt"]}
    page = env.sim.http.get(f"/pay/{created.code_id}")
    assert page.status_code == 200 and "<button id=\"pay\"" in page.text
    assert env.sim.approve(created.code_id).json()["status"] == "COMPLETED"
    assert env.sim.approve(created.code_id).status_code == 200  # a double tap pays once
    paid = env.provider.get_payment(mpid)
    assert paid.status is ProviderStatus.COMPLETED and paid.paid_at is not None
    assert env.sim.payment(mpid)["status"] == "COMPLETED"


def test_same_id_same_amount_gives_the_same_code_other_amount_conflicts(env: Env) -> None:
    mpid, expires = pid(), city_now() + timedelta(minutes=5)
    first = env.provider.create_code(mpid, 500, expires, "x")
    again = env.provider.create_code(mpid, 500, expires, "x")
    assert again.code_id == first.code_id
    with pytest.raises(ProviderConflict):
        env.provider.create_code(mpid, 600, expires, "x")


def test_decline_expire_cancel(env: Env) -> None:
    expires = city_now() + timedelta(minutes=5)
    declined = env.provider.create_code(pid(), 100, expires, "d")
    env.sim.decline(declined.code_id)
    assert env.provider.get_payment(declined.merchant_payment_id).status is ProviderStatus.FAILED
    assert env.sim.approve(declined.code_id).status_code == 409  # too late to pay

    expiring = env.provider.create_code(pid(), 100, expires, "e")
    env.sim.expire(expiring.merchant_payment_id)
    assert env.provider.get_payment(expiring.merchant_payment_id).status is ProviderStatus.EXPIRED

    cancelled = env.provider.create_code(pid(), 100, expires, "c")
    assert env.provider.cancel_payment(cancelled.merchant_payment_id).status is ProviderStatus.CANCELED
    assert env.provider.cancel_payment(cancelled.merchant_payment_id).status is ProviderStatus.CANCELED
    assert env.sim.approve(cancelled.code_id).status_code == 409
    with pytest.raises(ProviderConflict):  # a paid one is refunded, not cancelled
        env.provider.cancel_payment(declined.merchant_payment_id)


def test_partial_and_full_refund_idempotent_by_refund_id(env: Env) -> None:
    payment = env.provider.create_code(pid(), 3000, city_now() + timedelta(minutes=5), "r")
    mpid = payment.merchant_payment_id
    with pytest.raises(ProviderRejected):  # nothing paid yet
        env.provider.refund("rf-" + uuid.uuid4().hex, mpid, 100)
    env.sim.approve(payment.code_id)
    part = env.provider.refund("rf-a-" + mpid[-8:], mpid, 1000, "one block cancelled")
    assert part.amount_yen == 1000
    assert env.provider.refund("rf-a-" + mpid[-8:], mpid, 1000).amount_yen == 1000  # retry
    assert env.provider.get_payment(mpid).refunded_yen == 1000
    with pytest.raises(ProviderConflict):
        env.provider.refund("rf-a-" + mpid[-8:], mpid, 999)
    with pytest.raises(ProviderRejected):
        env.provider.refund("rf-b-" + mpid[-8:], mpid, 2001)  # more than is left
    env.provider.refund("rf-c-" + mpid[-8:], mpid, 2000)
    final = env.provider.get_payment(mpid)
    assert final.status is ProviderStatus.REFUNDED and final.refunded_yen == 3000
    assert env.provider.get_refund("rf-c-" + mpid[-8:]).status == "COMPLETED"


def test_unknown_payment_and_bad_credentials(env: Env) -> None:
    with pytest.raises(PaymentNotFound):
        env.provider.get_payment(pid())
    wrong = ProviderClient(env.sim.url, env.sim.api_key, "not-the-secret", timeout=2)
    with pytest.raises(ProviderAuthFailed):
        wrong.get_payment(pid())
    wrong.close()
    unsigned = httpx.post(env.sim.url + "/v2/codes", json={"merchantPaymentId": pid()})
    assert unsigned.status_code == 401


def test_bad_requests_are_rejected_not_retried(env: Env) -> None:
    with pytest.raises(ProviderRejected):
        env.provider.create_code(pid(), 0, city_now() + timedelta(minutes=5), "zero")
    with pytest.raises(ProviderRejected):
        env.provider.create_code(pid(), 100, city_now() - timedelta(minutes=1), "past")


def test_slow_answers_within_the_timeout_succeed(env: Env) -> None:
    env.sim.set_faults(delay_seconds=0.3)
    payment = env.provider.create_code(pid(), 100, city_now() + timedelta(minutes=5), "slow")
    assert payment.status is ProviderStatus.CREATED


def test_hang_is_retried_with_the_same_id_and_charges_once(env: Env) -> None:
    env.sim.set_faults(hang_count=1, hang_seconds=3, operations=["create"])
    mpid = pid()
    payment = env.provider.create_code(mpid, 700, city_now() + timedelta(minutes=5), "hang")
    # The first attempt took effect but its answer was lost; the retry found it.
    assert [p for p in env.sim.payments() if p == mpid] == [mpid]
    env.sim.approve(payment.code_id)
    assert env.sim.payment(mpid)["status"] == "COMPLETED"


def test_hang_on_every_attempt_is_a_timeout_with_unknown_outcome(env: Env) -> None:
    env.sim.set_faults(hang_count=5, hang_seconds=3, operations=["status"])
    client = make_provider(env.sim, timeout=0.5, attempts=2)
    with pytest.raises(ProviderTimeout) as caught:
        client.get_payment(pid())
    assert caught.value.outcome_unknown
    client.close()


def test_5xx_is_retried_then_reported(env: Env) -> None:
    env.sim.set_faults(error_count=2, error_status=502)
    payment = env.provider.create_code(pid(), 100, city_now() + timedelta(minutes=5), "5xx")
    assert payment.status is ProviderStatus.CREATED
    env.sim.set_faults(error_rate=1.0, error_status=503)
    with pytest.raises(ProviderUnavailable) as caught:
        env.provider.get_payment(payment.merchant_payment_id)
    assert caught.value.status == 503 and caught.value.outcome_unknown


def test_unreachable_provider_is_unavailable_with_known_outcome(env: Env) -> None:
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    client = ProviderClient(f"http://127.0.0.1:{port}", "k", "s", timeout=1, attempts=2,
                            backoff_seconds=0.01)
    with pytest.raises(ProviderUnavailable) as caught:
        client.get_payment(pid())
    assert not caught.value.outcome_unknown
    client.close()


def test_fault_control_api_validates(env: Env) -> None:
    assert env.sim.http.post("/_sim/faults", json={"no_such_fault": 1}).status_code == 400
    assert env.sim.http.post("/_sim/faults", json={"operations": ["nope"]}).status_code == 400
    assert env.sim.http.post("/_sim/faults", json={"error_rate": 2}).status_code == 400
    env.sim.set_faults(delay_seconds=0.1)
    assert env.sim.http.get("/_sim/faults").json()["delay_seconds"] == 0.1


def test_index_lists_waiting_payments_for_a_second_tab(env: Env) -> None:
    waiting = env.provider.create_code(pid(), 1500, city_now() + timedelta(minutes=5), "ホール 夜間")
    done = env.provider.create_code(pid(), 800, city_now() + timedelta(minutes=5), "会議室")
    env.sim.approve(done.code_id)
    page = env.sim.http.get("/").text
    assert f'href="/pay/{waiting.code_id}"' in page and "¥1,500" in page
    assert done.code_id not in page


# -- "idle" means nothing more will happen by itself (settle_everything relies on it) --------

def test_the_webhook_sender_is_not_idle_while_a_delivery_is_being_applied(receiver) -> None:
    """A delivery in flight is off the queue: it must still count. Before it did, the
    random run's invariants could read the books while a webhook was being applied
    (and "idle" was seen again between a failed attempt and its retry)."""
    import threading

    from sync.paysim.config import SimConfig
    from sync.paysim.webhooks import WebhookSender

    from .helpers import wait_until

    entered, release = threading.Event(), threading.Event()

    mine = "e-" + uuid.uuid4().hex

    def slow(body: bytes, headers: dict[str, str]) -> int:
        if mine.encode() in body:  # (the session's simulator may still retry others)
            entered.set()
            release.wait(10)
        return 200

    receiver.handler = slow
    sender = WebhookSender(lambda: SimConfig("k", "s", "w", webhook_url=receiver.url))
    try:
        sender.enqueue({"eventId": mine, "merchantPaymentId": "p-1"})  # exactly one delivery
        assert entered.wait(10), "the webhook never arrived"
        assert sender.idle() is False  # nothing queued, but one being applied right now
        release.set()
        wait_until(sender.idle, 10)
    finally:
        release.set()
        sender.stop()
        receiver.detach()


def test_the_simulator_is_not_idle_while_a_late_completion_is_due(env: Env) -> None:
    """The late-completion fault completes a cancelled payment a moment later, from the
    simulator's own clock: until then "idle" must be false."""
    env.sim.set_faults(late_completion=True, late_completion_delay_seconds=0.5)
    mpid = pid()
    env.provider.create_code(mpid, 400, city_now() + timedelta(minutes=5), "l")
    from .helpers import wait_until
    wait_until(env.sim.webhooks_idle, 10)  # whatever creating it sent has gone out
    env.provider.cancel_payment(mpid)
    assert env.sim.payment(mpid)["status"] == "CREATED"
    assert env.sim.webhooks_idle() is False  # the completion is still to come
    wait_until(env.sim.webhooks_idle, 10)
    assert env.sim.payment(mpid)["status"] == "COMPLETED"  # idle came after it, not before


def test_detaching_the_receiver_waits_for_a_running_handler(env: Env, receiver) -> None:
    """A test's teardown closes the database its handler writes to: detach() returns only
    once no handler call is running, and no later call reaches the handler."""
    import threading
    import time

    entered, release, calls = threading.Event(), threading.Event(), []

    first, second = pid(), pid()

    def slow(body: bytes, headers: dict[str, str]) -> int:
        if first.encode() not in body and second.encode() not in body:
            return 200  # another test's webhook, retried by the session's simulator
        calls.append(time.monotonic())
        entered.set()
        release.wait(10)
        calls.append(time.monotonic())
        return 200

    receiver.handler = slow
    created = env.provider.create_code(first, 500, city_now() + timedelta(minutes=5), "d")
    env.sim.approve(created.code_id)
    assert entered.wait(10)
    threading.Timer(0.3, release.set).start()
    receiver.detach()
    detached = time.monotonic()
    assert len(calls) == 2 and calls[1] <= detached  # the running call had returned
    env.sim.decline(env.provider.create_code(second, 500, city_now() + timedelta(minutes=5), "e").code_id)
    from .helpers import wait_until
    wait_until(env.sim.webhooks_idle, 10)  # that webhook was refused (503), and retried...
    assert len(calls) == 2  # ...never reaching the detached handler

"""Payments end to end through the real central server process and the real simulator
process on 127.0.0.1 (webhooks over HTTP), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import open_day
from .helpers import wait_until
from .stack import WEBHOOK_PATH, PayStack


@pytest.fixture
def stack(db_url: str, tmp_path: Path) -> Iterator[PayStack]:
    s = PayStack(db_url, tmp_path)
    yield s
    s.close()


def test_pay_two_bookings_receipts_and_check_in(stack: PayStack) -> None:
    a, b = stack.book(block="morning"), stack.book(block="afternoon")
    config = stack.kiosk.get("/v1/payments/config").json()
    assert config["enabled"] and config["accepted_apps"]
    r = stack.kiosk.post("/v1/payments", json={"booking_ids": [a["id"], b["id"]]})
    assert r.status_code == 201, r.text
    pay = r.json()
    assert pay["state"] == "pending" and pay["amount_yen"] == a["total_yen"] + b["total_yen"]
    assert pay["qr_url"].startswith(stack.sim.url + "/pay/") and 0 < pay["seconds_left"] <= 300
    assert [i["code"] for i in pay["items"]] == [a["code"], b["code"]]
    again = stack.kiosk.post("/v1/payments", json={"booking_ids": [a["id"], b["id"]]}).json()
    assert again["payment_id"] == pay["payment_id"]  # a retried request: the same charge
    code_id = pay["qr_url"].rsplit("/", 1)[1]
    assert stack.sim.approve(code_id).status_code == 200  # the customer's phone
    done = stack.wait_state(pay["payment_id"], "completed")
    assert {x["booking_id"] for x in done["receipts"]} == {a["id"], b["id"]}
    token = next(x["token"] for x in done["receipts"] if x["booking_id"] == a["id"])
    checked = stack.staff.post("/v1/staff/checkin", json={"token": token})
    assert checked.status_code == 200, checked.text
    assert checked.json()["paid"] and checked.json()["already_checked_in_at"] is None
    assert stack.staff.post("/v1/staff/checkin", json={"token": token}).json()["already_checked_in_at"]
    parts = token.split(".")
    for forged in (token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
                   ".".join([parts[0], parts[1], parts[2][::-1], parts[3]]), "MDG1.x.y.z"):
        assert stack.staff.post("/v1/staff/checkin", json={"token": forged}).status_code == 400
    assert stack.kiosk.post("/v1/staff/checkin", json={"token": token}).status_code == 403
    seen = stack.staff.get(f"/v1/staff/payments/{pay['payment_id']}").json()
    assert [h["state"] for h in seen["history"]] == ["created", "pending", "completed"]


def test_decline_then_retry_then_cancel(stack: PayStack) -> None:
    a = stack.book()
    first = stack.kiosk.post("/v1/payments", json={"booking_ids": [a["id"]]}).json()
    stack.sim.decline(first["qr_url"].rsplit("/", 1)[1])
    stack.wait_state(first["payment_id"], "declined")
    second = stack.kiosk.post("/v1/payments", json={"booking_ids": [a["id"]]}).json()
    assert second["payment_id"] != first["payment_id"] and second["state"] == "pending"
    cancelled = stack.kiosk.post(f"/v1/payments/{second['payment_id']}/cancel").json()
    assert cancelled["state"] == "cancelled" and cancelled["receipts"] == []
    looked = stack.kiosk.post("/v1/bookings/lookup", json={"code": a["code"], "phone": a["phone"]}).json()
    assert looked["paid"] is False and looked["status"] == "confirmed" and looked["receipt_token"]


def test_my_bookings_lookup_cancel_and_refund(stack: PayStack) -> None:
    a = stack.book()
    pay = stack.kiosk.post("/v1/payments", json={"booking_ids": [a["id"]]}).json()
    stack.sim.approve(pay["qr_url"].rsplit("/", 1)[1])
    stack.wait_state(pay["payment_id"], "completed")
    proof = {"code": a["code"], "phone": a["phone"]}
    assert stack.kiosk.post("/v1/bookings/lookup", json={**proof, "phone": "0311112222"}).status_code == 404
    looked = stack.kiosk.post("/v1/bookings/lookup", json=proof).json()
    assert looked["paid"] and looked["cancellable"] and looked["refund_yen_if_cancelled"] == a["total_yen"]
    assert stack.kiosk.post("/v1/bookings/other-id/cancel", json=proof).status_code == 404
    outcome = stack.kiosk.post(f"/v1/bookings/{a['id']}/cancel", json=proof).json()
    assert outcome["refund_yen"] == a["total_yen"] and outcome["refund_done"] is True
    assert stack.sim.payment(pay["payment_id"])["status"] == "REFUNDED"
    assert stack.pay_state(pay["payment_id"]) == "refunded"
    token = looked["receipt_token"]
    assert stack.staff.post("/v1/staff/checkin", json={"token": token}).status_code == 409  # cancelled


def test_staff_counter_payment_refund_and_items(stack: PayStack) -> None:
    a, b = stack.book(block="morning"), stack.book(block="evening")
    pending = stack.kiosk.post("/v1/payments", json={"booking_ids": [a["id"]]}).json()
    r = stack.staff.post(f"/v1/staff/bookings/{a['id']}/counter-payment", json={"note": "cash"})
    assert r.status_code == 409 and r.json()["detail"]["code"] == "payment_in_progress"
    stack.staff.post(f"/v1/staff/payments/{pending['payment_id']}/cancel")
    paid = stack.staff.post(f"/v1/staff/bookings/{a['id']}/counter-payment", json={"note": "cash"})
    assert paid.status_code == 200 and paid.json()["paid_method"] == "counter"
    assert stack.kiosk.post(f"/v1/staff/bookings/{a['id']}/counter-payment", json={}).status_code == 403
    qr = stack.kiosk.post("/v1/payments", json={"booking_ids": [b["id"]]}).json()
    stack.sim.approve(qr["qr_url"].rsplit("/", 1)[1])
    stack.wait_state(qr["payment_id"], "completed")
    part = stack.staff.post(f"/v1/staff/payments/{qr['payment_id']}/refund",
                            json={"amount_yen": 100, "reason": "goodwill", "refund_id": "rf-goodwill-1"})
    assert part.status_code == 200 and part.json()["refunded_yen"] == 100
    again = stack.staff.post(f"/v1/staff/payments/{qr['payment_id']}/refund",
                             json={"amount_yen": 100, "reason": "goodwill", "refund_id": "rf-goodwill-1"})
    assert again.json()["refunded_yen"] == 100  # retried with its id: refunded once
    too_much = stack.staff.post(f"/v1/staff/payments/{qr['payment_id']}/refund", json={"amount_yen": 10**6})
    assert too_much.status_code == 409
    assert stack.sim.payment(qr["payment_id"])["refundedAmount"] == 100
    assert stack.staff.get("/v1/staff/payments/items").json() == []


def test_webhook_signature_is_checked(stack: PayStack) -> None:
    body = b'{"eventId":"e","merchantPaymentId":"pay-x","state":"COMPLETED","amount":1}'
    r = httpx.post(stack.server.url + WEBHOOK_PATH, content=body,
                   headers={"X-Paysim-Signature": "t=1,v1=00"})
    assert r.status_code == 400
    assert httpx.post(stack.server.url + WEBHOOK_PATH, content=body).status_code == 400


def test_late_completion_after_release_is_refunded_by_the_server_job(stack: PayStack) -> None:
    stack.sim.set_faults(late_completion=True, late_completion_delay_seconds=1.0)
    a = stack.book()
    pay = stack.kiosk.post("/v1/payments", json={"booking_ids": [a["id"]]}).json()
    gave_up = stack.kiosk.post(f"/v1/payments/{pay['payment_id']}/cancel").json()
    assert gave_up["state"] == "pending"  # the provider only accepted the cancel
    proof = {"code": a["code"], "phone": a["phone"]}
    assert stack.kiosk.post(f"/v1/bookings/{a['id']}/cancel", json=proof).json()["refund_yen"] == 0
    items = wait_until(lambda: stack.staff.get("/v1/staff/payments/items").json(), timeout=20)
    assert [(i["kind"], i["booking_id"]) for i in items] == [("paid_after_release", a["id"])]
    wait_until(lambda: stack.sim.payment(pay["payment_id"])["status"] == "REFUNDED", timeout=20)
    assert stack.wait_state(pay["payment_id"], "refunded")["receipts"] == []


def test_unpaid_booking_released_by_the_job(db_url: str, tmp_path: Path) -> None:
    import shutil

    from kiosk.opendata import sample_city_dir

    city = tmp_path / "city"
    shutil.copytree(sample_city_dir(), city)
    units = city / "units.toml"
    units.write_text(units.read_text().replace("unpaid_hold_days = 7", "unpaid_hold_days = 0"))
    s = PayStack(db_url, tmp_path, city_dir=city)
    try:
        a = s.book()
        looked = lambda: s.kiosk.post("/v1/bookings/lookup", json={"code": a["code"], "phone": a["phone"]}).json()
        wait_until(lambda: looked()["status"] == "cancelled", timeout=20)
        r = s.kiosk.post("/v1/payments", json={"booking_ids": [a["id"]]})
        assert r.status_code == 409 and r.json()["detail"]["code"] == "not_confirmed"
        feed = s.kiosk.get("/v1/changes", params={"since": "0"}).json()["changes"]
        assert feed[-1]["booking_id"] == a["id"] and feed[-1]["status"] == "cancelled"
    finally:
        s.close()


def test_payments_off_without_a_provider(tmp_path: Path) -> None:
    from sync.server.process import ServerProcess

    db_url = f"sqlite:///{tmp_path / 'plain.sqlite'}"
    from sync.server.db import Database
    from sync.server.migrations import migrate
    from sync.server.tenants import add_tenant, enrol
    from kiosk.opendata import sample_city_dir

    db = Database(db_url)
    migrate(db)
    add_tenant(db, "122999", sample_city_dir())
    token = enrol(db, "122999", "k1", "kiosk")
    db.close()
    with ServerProcess(db_url, log_path=tmp_path / "s.log", env={"MADOGUCHI_PAY_PROVIDER_URL": ""}) as srv:
        kiosk = httpx.Client(base_url=srv.url, headers={"Authorization": f"Bearer {token}"})
        assert kiosk.get("/v1/payments/config").json()["enabled"] is False
        r = kiosk.post("/v1/payments", json={"booking_ids": ["x"]})
        assert r.status_code == 409 and r.json()["detail"]["code"] == "payments_disabled"
        kiosk.close()


def test_days_ahead_helper_is_open() -> None:
    assert open_day().weekday() in range(7)

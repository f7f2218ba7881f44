"""``python -m sync.paysim --state FILE``: the simulator's books survive a restart.

The store's save and load on temporary files first, then a real simulator process killed
(SIGKILL, as a crash) and started again on the same file, driven through the provider
adapter as the server drives it."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from sync.payments import ProviderConflict, ProviderStatus
from sync.paysim.state_file import FORMAT, StateFile, UnreadableState, open_state, parse, snapshot
from sync.paysim.store import SimStatus, SimStore

from .conftest import make_provider
from .helpers import SimProcess, city_now


def books(path: Path) -> SimStore:
    """A store on ``path`` with one payment of each kind worth keeping."""
    store = SimStore()
    assert open_state(path, store)
    paid, _ = store.create("pay-paid", 3000, "ホール 午前", expires_at=2000.0, now=1000.0)
    store.approve(paid.code_id, now=1001.0)
    store.refund("rf-part", "pay-paid", 1000, "one block", now=1002.0)
    store.create("pay-waiting", 500, "会議室", expires_at=2000.0, now=1003.0)
    declined, _ = store.create("pay-declined", 700, "x", expires_at=2000.0, now=1004.0)
    store.decline(declined.code_id, now=1005.0)
    return store


# -- the store's save and load ------------------------------------------------------------

def test_every_change_is_on_file_and_comes_back_whole(tmp_path: Path) -> None:
    path = tmp_path / "paysim-state.json"
    before = books(path)
    assert json.loads(path.read_text())["format"] == FORMAT
    after = SimStore()
    assert open_state(path, after)  # a new process
    assert snapshot(after) == snapshot(before) and after.charges == 1
    paid = after.get("pay-paid", now=1010.0)
    assert (paid.status, paid.refunded_amount, [r.merchant_refund_id for r in paid.refunds]) == (
        SimStatus.COMPLETED, 1000, ["rf-part"])
    # the ids are still idempotency keys: the same refund again is the same refund...
    assert after.refund("rf-part", "pay-paid", 1000, "", now=1011.0).requested_at == 1002.0
    assert after.get("pay-paid", now=1011.0).refunded_amount == 1000
    # ...and the codes still find their payments: the waiting one can still be paid
    waiting = after.get("pay-waiting", now=1012.0)
    assert after.approve(waiting.code_id, now=1012.0).status is SimStatus.COMPLETED
    assert after.charges == 2
    # what the restarted store did is on file too
    again = SimStore()
    open_state(path, again)
    assert again.get("pay-waiting", now=1013.0).status is SimStatus.COMPLETED
    assert again.refund("rf-rest", "pay-paid", 2000, "", now=1014.0).amount == 2000
    assert again.get("pay-paid", now=1014.0).status is SimStatus.REFUNDED


def test_a_new_code_and_an_accepted_late_cancel_are_kept_though_no_webhook_says_so(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = SimStore()
    open_state(path, store)
    store.late_completion = True
    store.create("pay-late", 900, "", expires_at=2000.0, now=1000.0)
    store.cancel("pay-late", now=1001.0)
    saved, _ = parse(json.loads(path.read_text()))
    assert [(p.merchant_payment_id, p.cancel_requested_at) for p in saved] == [("pay-late", 1001.0)]


def test_writes_are_whole_and_leave_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = SimStore()
    open_state(path, store)
    for i in range(30):
        store.create(f"pay-{i}", 100 + i, "", expires_at=2000.0, now=1000.0)
        assert len(json.loads(path.read_text())["payments"]) == i + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_no_file_is_an_empty_store_and_without_a_file_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert StateFile(path).load() is None
    store = SimStore()
    assert open_state(path, store) and store.all() == [] and path.is_file()
    memory = SimStore()  # no --state: in memory, as before
    memory.create("pay-1", 100, "", expires_at=2000.0, now=1000.0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_a_save_that_fails_does_not_fail_the_payment(tmp_path: Path) -> None:
    path = tmp_path / "gone" / "state.json"  # its directory is not there
    store = SimStore()
    assert open_state(path, store)
    payment, created = store.create("pay-1", 100, "", expires_at=2000.0, now=1000.0)
    assert created and store.approve(payment.code_id, now=1001.0).status is SimStatus.COMPLETED


GOOD_PAYMENT = {"merchant_payment_id": "p", "code_id": "c", "amount": 100, "description": "",
                "expires_at": 2000, "created_at": 1000, "status": "CREATED", "paid_at": None,
                "refunded_amount": 0, "cancel_requested_at": None, "sequence": 0, "refunds": []}


@pytest.mark.parametrize("content", [
    b"{ not json", b"", b"\xff\xfe\x00garbage", b"[]", b'{"format": 99, "payments": [], "charges": 0}',
    b'{"format": 1, "payments": [{"merchant_payment_id": "x"}], "charges": 0}',
    json.dumps({"format": 1, "charges": 0, "payments": [{**GOOD_PAYMENT, "status": "PAID?"}]}).encode(),
    json.dumps({"format": 1, "charges": 0, "payments": [{**GOOD_PAYMENT, "amount": "100"}]}).encode(),
    json.dumps({"format": 1, "charges": 0, "payments": [GOOD_PAYMENT, GOOD_PAYMENT]}).encode(),
    json.dumps({"format": 1, "payments": [GOOD_PAYMENT]}).encode(),
])
def test_an_unreadable_file_is_moved_aside_and_the_store_starts_empty(
        tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content)
    with pytest.raises(UnreadableState):
        StateFile(path).load()
    store = SimStore()
    assert open_state(path, store) is False and store.all() == []
    assert (tmp_path / "state.json.unreadable").read_bytes() == content  # kept for a look
    assert json.loads(path.read_text())["payments"] == []  # a good file again
    assert "could not be read" in caplog.text and "state.json.unreadable" in caplog.text


def test_a_good_minimal_file_loads() -> None:
    payments, charges = parse({"format": 1, "charges": 0, "payments": [GOOD_PAYMENT]})
    assert [(p.merchant_payment_id, p.status, p.expires_at) for p in payments] == [("p", SimStatus.CREATED, 2000.0)]


# -- the real simulator process -----------------------------------------------------------

def test_a_paid_payment_survives_a_crash_and_can_be_refunded(tmp_path: Path) -> None:
    state = tmp_path / "paysim-state.json"
    mpid = "pay-" + uuid.uuid4().hex
    sim = SimProcess(tmp_path, None, args=("--state", str(state)))
    try:
        provider = make_provider(sim)
        created = provider.create_code(mpid, 1200, city_now() + timedelta(minutes=5), "ホール 午前")
        assert sim.approve(created.code_id).json()["status"] == "COMPLETED"
        provider.close()
    finally:
        sim.kill()
    assert "card" not in state.read_text().lower() and sim.api_secret not in state.read_text()

    sim = SimProcess(tmp_path, None, args=("--state", str(state)))  # the same file
    try:
        provider = make_provider(sim)
        paid = provider.get_payment(mpid)
        assert paid.status is ProviderStatus.COMPLETED and paid.paid_at is not None
        assert sim.http.get("/_sim/payments").json()["charges"] == 1
        # a retried create is still answered by its idempotency key, not charged again
        with pytest.raises(ProviderConflict):
            provider.create_code(mpid, 999, city_now() + timedelta(minutes=5), "x")
        assert provider.refund("rf-" + mpid[-8:], mpid, 1200, "practice reset").amount_yen == 1200
        assert provider.get_payment(mpid).status is ProviderStatus.REFUNDED
        provider.close()
    finally:
        sim.stop()


def test_a_corrupt_state_file_is_moved_aside_and_the_simulator_starts_empty(tmp_path: Path) -> None:
    state = tmp_path / "paysim-state.json"
    state.write_text('{"format": 1, "payments": [')  # cut short
    sim = SimProcess(tmp_path, None, args=("--state", str(state)))
    try:
        assert sim.proc.poll() is None and sim.payments() == {}  # it runs, empty
        assert json.loads(state.read_text())["payments"] == []
    finally:
        log = sim.kill()
    assert (tmp_path / "paysim-state.json.unreadable").read_text() == '{"format": 1, "payments": ['
    assert "could not be read" in log and "paysim-state.json.unreadable" in log

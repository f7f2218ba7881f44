"""The ledger on both dialects: append-only tables, the forward-only state machine,
one open payment per booking, refund bookkeeping."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sync.payments import BookingsAlreadyInPayment, Ledger, PaymentItem, PaymentState, RefundNotPossible, Source
from sync.payments.provider import ProviderStatus
from sync.payments.schema import APPEND_ONLY_TABLES
from sync.payments.store import DbLedgerStore
from sync.server.db import Database
from sync.server.migrations import migrate

from .helpers import city_now

S = PaymentState


@pytest.fixture
def ledger(db_url: str):
    db = Database(db_url)
    migrate(db)
    yield Ledger(DbLedgerStore(db))
    db.close()


def test_open_payment_is_idempotent_per_booking_set(ledger: Ledger) -> None:
    now = city_now()
    items = [PaymentItem("a", 1000), PaymentItem("b", 500)]
    first = ledger.open_payment("t1", items, "x", now, now + timedelta(minutes=5))
    assert first.amount_yen == 1500 and first.state is S.CREATED
    assert ledger.open_payment("t1", items, "x", now, now + timedelta(minutes=5)).payment_id == first.payment_id
    with pytest.raises(BookingsAlreadyInPayment):
        ledger.open_payment("t1", [PaymentItem("a", 1000)], "x", now, now + timedelta(minutes=5))
    # another city's booking "a" is another booking
    other = ledger.open_payment("t2", [PaymentItem("a", 1000)], "x", now, now + timedelta(minutes=5))
    assert other.payment_id != first.payment_id
    ledger.record(first.payment_id, S.DECLINED, now, Source.WEBHOOK)
    again = ledger.open_payment("t1", [PaymentItem("a", 1000)], "x", now, now + timedelta(minutes=5))
    assert again.payment_id != first.payment_id  # declined: a new try is a new payment
    for bad in ([], [PaymentItem("a", 0)], [PaymentItem("a", 1), PaymentItem("a", 1)]):
        with pytest.raises(ValueError):
            ledger.open_payment("t1", bad, "x", now, now)


def test_states_only_move_forward_in_any_order(ledger: Ledger) -> None:
    now = city_now()
    p = ledger.open_payment("t1", [PaymentItem("a", 1000)], "x", now, now + timedelta(minutes=5)).payment_id
    assert ledger.apply_provider(p, ProviderStatus.CREATED, 0, now, Source.API)
    assert ledger.apply_provider(p, ProviderStatus.COMPLETED, 0, now, Source.WEBHOOK)
    assert not ledger.apply_provider(p, ProviderStatus.CREATED, 0, now, Source.WEBHOOK)  # stale
    assert not ledger.apply_provider(p, ProviderStatus.COMPLETED, 0, now, Source.WEBHOOK)  # duplicate
    assert not ledger.apply_provider(p, ProviderStatus.FAILED, 0, now, Source.WEBHOOK)  # never un-paid
    assert ledger.apply_provider(p, ProviderStatus.COMPLETED, 300, now, Source.WEBHOOK)
    assert not ledger.apply_provider(p, ProviderStatus.COMPLETED, 200, now, Source.WEBHOOK)  # older refund total
    assert [e.state for e in ledger.history(p)] == [S.CREATED, S.PENDING, S.COMPLETED, S.PARTIALLY_REFUNDED]
    # a refund reported before the completion was seen records the charge first
    q = ledger.open_payment("t1", [PaymentItem("b", 800)], "x", now, now + timedelta(minutes=5)).payment_id
    assert ledger.apply_provider(q, ProviderStatus.REFUNDED, 800, now, Source.WEBHOOK)
    assert [e.state for e in ledger.history(q)] == [S.CREATED, S.COMPLETED, S.REFUNDED]
    # a cancelled payment that the provider then reports paid: the charge is recorded
    r = ledger.open_payment("t1", [PaymentItem("c", 100)], "x", now, now + timedelta(minutes=5)).payment_id
    ledger.record(r, S.CANCELLED, now, Source.API)
    assert ledger.apply_provider(r, ProviderStatus.COMPLETED, 0, now, Source.WEBHOOK)


def test_refunds_never_exceed_the_charge(ledger: Ledger) -> None:
    now = city_now()
    p = ledger.open_payment("t1", [PaymentItem("a", 1000)], "x", now, now + timedelta(minutes=5)).payment_id
    with pytest.raises(RefundNotPossible):
        ledger.request_refund(p, 100, "not paid yet", now)
    ledger.apply_provider(p, ProviderStatus.COMPLETED, 0, now, Source.WEBHOOK)
    first = ledger.request_refund(p, 600, "r", now, "rf-1")
    again = ledger.request_refund(p, 600, "r", now, "rf-1")  # same id: no second refund
    assert (again.refund_id, again.amount_yen) == (first.refund_id, first.amount_yen)
    with pytest.raises(RefundNotPossible):
        ledger.request_refund(p, 500, "r", now, "rf-2")  # 600 already on its way
    with pytest.raises(RefundNotPossible):
        ledger.request_refund(p, 599, "r", now, "rf-1")  # the id means another amount
    assert [r.refund_id for r in ledger.open_refunds()] == ["rf-1"]
    ledger.refund_outcome(first, True, now, Source.API)
    assert ledger.open_refunds() == []
    assert ledger.view(p).state is S.PARTIALLY_REFUNDED and ledger.view(p).refunded_yen == 600
    rest = ledger.request_refund(p, 400, "r", now, "rf-3")
    ledger.refund_outcome(rest, True, now, Source.API)
    assert ledger.view(p).state is S.REFUNDED


def test_the_payment_tables_refuse_updates_and_deletes(ledger: Ledger) -> None:
    now = city_now()
    p = ledger.open_payment("t1", [PaymentItem("a", 1000)], "x", now, now + timedelta(minutes=5)).payment_id
    db = ledger.store.db
    for sql in ("UPDATE payment_ledger SET state = 'completed'", "DELETE FROM payment_ledger",
                "UPDATE payments SET amount_yen = 1", "DELETE FROM payment_items"):
        with pytest.raises(Exception, match="append-only"):
            with db.write() as c:
                c.execute(sql)
    assert [e.state for e in ledger.history(p)] == [S.CREATED]
    with db.read() as c:  # every table in the list has its guard
        for table in APPEND_ONLY_TABLES:
            c.execute(f"SELECT COUNT(*) FROM {table}")

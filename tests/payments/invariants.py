"""The money invariants, checked against the provider's own books (the simulator's).

After everything has settled:
- every charge the provider holds is known to the ledger, in the same state;
- the money the provider kept for a payment is exactly the fees of the bookings that
  payment paid, less refunds given for their cancellation: no payment without a booking
  or a refund, and (a booking is paid at most once) no double charge;
- every booking marked paid by QR has a charge behind it;
- nothing is left unknown, waiting, or half-refunded.
"""

from __future__ import annotations

from typing import Any

from sync.payments import Ledger, PaymentState
from sync.payments import bookkeeping as bk
from sync.payments.records import UNSETTLED
from sync.payments.store import DbLedgerStore

S = PaymentState
SIM_TO_LEDGER = {"FAILED": S.DECLINED, "EXPIRED": S.EXPIRED, "CANCELED": S.CANCELLED,
                 "REFUNDED": S.REFUNDED, "CREATED": S.PENDING}


def check_invariants(db, sim_payments: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    ledger = Ledger(DbLedgerStore(db))
    views = {v.payment_id: v for v in ledger.all_payments()}
    with db.read() as c:
        paid_rows = bk.paid_bookings(c)
    paid_by: dict[str, list[dict[str, Any]]] = {}
    for row in paid_rows:
        if row["method"] == "qr":
            paid_by.setdefault(row["payment_id"], []).append(row)
    for pid, p in sim_payments.items():
        view = views.get(pid)
        moved = p["status"] in ("COMPLETED", "REFUNDED")
        kept = p["amount"]["amount"] - p["refundedAmount"] if moved else 0
        if view is None:
            problems.append(f"{pid}: the provider has it ({p['status']}) but the ledger does not")
            continue
        if p["status"] == "COMPLETED":
            expected = S.PARTIALLY_REFUNDED if p["refundedAmount"] else S.COMPLETED
        else:
            expected = SIM_TO_LEDGER[p["status"]]
        if view.state is not expected:
            problems.append(f"{pid}: ledger says {view.state}, provider {p['status']}")
        if view.refunded_yen != (p["refundedAmount"] if moved else 0):
            problems.append(f"{pid}: ledger refunded {view.refunded_yen}, provider {p['refundedAmount']}")
        cancel_refunds = sum(r.amount_yen for r in ledger.refunds(pid)
                             if r.state == "completed" and r.reason == "booking cancelled")
        staff_refunds = sum(r.amount_yen for r in ledger.refunds(pid)
                            if r.state == "completed" and r.reason not in
                            ("booking cancelled", "booking released before payment completed"))
        owed = sum(int(r["amount_yen"]) for r in paid_by.get(pid, ())) - cancel_refunds - staff_refunds
        if kept != owed:
            problems.append(f"{pid}: provider kept {kept} yen, bookings it paid owe {owed}")
    for pid, rows in paid_by.items():
        p = sim_payments.get(pid)
        if p is None or p["status"] not in ("COMPLETED", "REFUNDED"):
            problems.append(f"bookings {[r['booking_id'] for r in rows]} paid by {pid}, which took no money")
    for pid, view in views.items():
        if view.state in UNSETTLED:
            problems.append(f"{pid}: still {view.state}")
        if pid not in sim_payments and view.state not in (S.CANCELLED,):
            problems.append(f"{pid}: {view.state} in the ledger, unknown to the provider")
    for refund in ledger.open_refunds():
        problems.append(f"refund {refund.refund_id} of {refund.payment_id}: outcome unknown")
    return problems


def settle_everything(run_reconcile, sim, rounds: int = 3, timeout: float = 30.0) -> None:
    """No faults any more: reconcile, each time after the simulator has gone quiet (no
    late completion to come, no webhook queued, held back or in flight: see
    ``sync.paysim``'s ``/_sim/webhooks`` ``idle``), and end quiet too, so the invariants
    read books nothing is still changing. Never gives up silently."""
    from .helpers import wait_until

    sim.set_faults()
    for _ in range(rounds):
        wait_until(sim.webhooks_idle, timeout)
        run_reconcile()
    wait_until(sim.webhooks_idle, timeout)

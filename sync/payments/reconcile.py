"""Reconciliation: the periodic job that settles what the ledger cannot know alone.

``reconcile(service, now)`` runs every few seconds in the server process (and once at
start). It asks the provider about every payment whose outcome is unknown, that was
never confirmed created, or whose QR code expired while still waiting; cancels at the
provider what still waits past expiry; settles charges not settled yet (refunding the
share of bookings released meanwhile, onto the staff list); and retries refunds whose
outcome is unknown. ``PaymentJob`` runs it, and the release of unpaid bookings past
their deadline, on a thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .errors import ProviderError
from .records import CHARGED, PaymentState, Source
from .service import PaymentsDisabled, PaymentService

S = PaymentState
log = logging.getLogger("madoguchi.payments")


@dataclass
class ReconcileReport:
    checked: list[str] = field(default_factory=list)  # payments asked about
    settled: list[str] = field(default_factory=list)  # charges settled this run
    refunds_retried: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)  # unpaid bookings given back
    errors: list[str] = field(default_factory=list)  # provider still unreachable: next run


def reconcile(service: PaymentService, now: datetime,
              grace: timedelta | None = None) -> ReconcileReport:
    report = ReconcileReport()
    if service.provider is None:
        return report
    grace = grace if grace is not None else timedelta(seconds=service.config.reconcile_grace_s)
    ledger = service.ledger
    for view in ledger.payments_in({S.UNKNOWN, S.CREATED, S.PENDING}):
        expired = now >= view.record.expires_at + grace
        stale_created = view.state is S.CREATED and now >= view.updated_at + grace
        if not (view.state is S.UNKNOWN or expired or stale_created):
            continue
        report.checked.append(view.payment_id)
        try:
            fresh = service.refresh(view.payment_id, now, Source.RECONCILE)
            if fresh.state is S.PENDING and expired:
                service.abandon(view.payment_id, now)
        except (ProviderError, PaymentsDisabled) as exc:
            report.errors.append(f"{view.payment_id}: {type(exc).__name__}")
    for view in ledger.payments_in(CHARGED):
        if ledger.settlement(view.payment_id) is None:
            service.settle(view.payment_id, now, Source.RECONCILE)
            report.settled.append(view.payment_id)
    for refund in ledger.open_refunds():
        report.refunds_retried.append(refund.refund_id)
        if service.execute_refund(refund, now, Source.RECONCILE) is None:
            report.errors.append(f"{refund.refund_id}: refund outcome still unknown")
    return report


class PaymentJob:
    """Reconciliation and unpaid releases every ``interval`` seconds, on a daemon thread."""

    def __init__(self, service: PaymentService, operations, now: Callable[[], datetime],
                 interval: float) -> None:
        self.service = service
        self.operations = operations
        self.now = now
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def run_once(self) -> ReconcileReport:
        now = self.now()
        report = reconcile(self.service, now)
        report.released = self.operations.release_unpaid(now)
        self.runs += 1
        return report

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = self.run_once()
                if report.settled or report.released or report.errors:
                    log.info("payments job: settled %s, released %s, errors %s",
                             report.settled, report.released, report.errors)
            except Exception:  # the job must outlive any one bad row or outage
                log.exception("payments job failed; trying again next round")
            self._stop.wait(self.interval)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="payments-job", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

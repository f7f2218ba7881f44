"""``python -m sync.paysim --state FILE``: the simulator's books kept on disk, so a restart
(a practice workshop's laptop woken from sleep, Ctrl+C by mistake) still knows every
payment, what was paid and refunded, and which payment and refund ids were used: the
kiosk's reset can still refund a booking paid before the restart, and a retried request
is still answered by its idempotency key.

One JSON file, written whole after every change to a temporary file in the same
directory, flushed to disk and renamed over the old one: a crash mid-write leaves the old
file or the new one, never half of one. It holds what the store holds and nothing more:
no card data, no API secret (those stay in ``--config`` / ``--credentials``). Not kept:
webhooks still queued (the server's polling settles those payments) and the faults in
force (they come from ``--config`` again).

No file: an empty store. A file that cannot be read (cut short, edited by hand, another
version) never stops the simulator: it is moved aside to ``FILE.unreadable``, the log says
so, and the simulator starts empty.

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "paysim-state.json"
    >>> store = SimStore()
    >>> open_state(path, store)
    True
    >>> payment, _ = store.create("pay-1", 500, "hall", expires_at=2000.0, now=1000.0)
    >>> _ = store.approve(payment.code_id, now=1001.0)
    >>> again = SimStore()                                   # the simulator restarted
    >>> open_state(path, again)
    True
    >>> again.get("pay-1", now=1002.0).status, again.refund("rf-1", "pay-1", 500, "", 1003.0).amount
    (<SimStatus.COMPLETED: 'COMPLETED'>, 500)
    >>> _ = path.write_text("{ not json")
    >>> fresh = SimStore()
    >>> open_state(path, fresh), fresh.all(), path.with_name(path.name + ".unreadable").is_file()
    (False, [], True)
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kiosk.saved_file import JsonFile

from .store import SimPayment, SimRefund, SimStatus, SimStore

log = logging.getLogger("paysim.state")  # __main__ sends it to stderr

FORMAT = 1


class UnreadableState(ValueError):
    """The file is not simulator state this version can read."""


# -- to and from JSON -------------------------------------------------------------------
def snapshot(store: SimStore) -> dict[str, Any]:
    with store.locked():
        return {"format": FORMAT, "charges": store.charges,
                "payments": [_payment_json(p) for p in store.all()]}


def _payment_json(p: SimPayment) -> dict[str, Any]:
    return {"merchant_payment_id": p.merchant_payment_id, "code_id": p.code_id,
            "amount": p.amount, "description": p.description, "expires_at": p.expires_at,
            "created_at": p.created_at, "status": str(p.status), "paid_at": p.paid_at,
            "refunded_amount": p.refunded_amount, "cancel_requested_at": p.cancel_requested_at,
            "sequence": p.sequence,
            "refunds": [{"merchant_refund_id": r.merchant_refund_id, "amount": r.amount,
                         "reason": r.reason, "requested_at": r.requested_at, "status": r.status}
                        for r in p.refunds]}


def _typed(item: Any, key: str, kind: type | tuple[type, ...], optional: bool = False) -> Any:
    value = item[key]
    if value is None and optional:
        return None
    # bool is an int in Python; a saved amount of true is still not an amount
    if isinstance(value, bool) or not isinstance(value, kind):
        raise UnreadableState(f"{key} is not a {kind}")
    return value


def parse(data: object) -> tuple[list[SimPayment], int]:
    """The saved payments and charge count; UnreadableState for anything else."""
    if (not isinstance(data, dict) or data.get("format") != FORMAT
            or not isinstance(data.get("payments"), list)):
        raise UnreadableState("not simulator state of this version")
    num = (int, float)
    payments = []
    try:
        charges = _typed(data, "charges", int)
        for item in data["payments"]:
            mpid = _typed(item, "merchant_payment_id", str)
            refunds = [SimRefund(_typed(r, "merchant_refund_id", str), mpid, _typed(r, "amount", int),
                                 _typed(r, "reason", str), float(_typed(r, "requested_at", num)),
                                 _typed(r, "status", str))
                       for r in _typed(item, "refunds", list)]
            paid_at = _typed(item, "paid_at", num, optional=True)
            cancel_at = _typed(item, "cancel_requested_at", num, optional=True)
            payments.append(SimPayment(
                mpid, _typed(item, "code_id", str), _typed(item, "amount", int),
                _typed(item, "description", str), float(_typed(item, "expires_at", num)),
                float(_typed(item, "created_at", num)), SimStatus(_typed(item, "status", str)),
                None if paid_at is None else float(paid_at), _typed(item, "refunded_amount", int),
                refunds, None if cancel_at is None else float(cancel_at),
                _typed(item, "sequence", int)))
    except (KeyError, TypeError, ValueError) as exc:  # UnreadableState is a ValueError
        raise UnreadableState(f"a payment is malformed: {exc!r}") from None
    ids = [p.merchant_payment_id for p in payments]
    refund_ids = [r.merchant_refund_id for p in payments for r in p.refunds]
    if len(set(ids)) != len(ids) or len({p.code_id for p in payments}) != len(ids) \
            or len(set(refund_ids)) != len(refund_ids):
        raise UnreadableState("a payment, code or refund id is saved twice")
    return payments, charges


# -- the file -----------------------------------------------------------------------------
class StateFile:
    def __init__(self, path: Path) -> None:
        self.file = JsonFile(path, UnreadableState, log)
        self.path = self.file.path

    def load(self) -> tuple[list[SimPayment], int] | None:
        """The saved books; None when there is no file. UnreadableState when it is bad."""
        document = self.file.read()
        return None if document is None else parse(document)

    def save(self, store: SimStore) -> None:
        try:
            self.file.write(snapshot(store))
        except OSError as exc:  # a full disk must not fail a payment: the books live on in memory
            log.error("the state could not be saved to %s: %s", self.path, exc)

    def set_aside(self) -> Path:
        return self.file.set_aside()


def open_state(path: Path, store: SimStore) -> bool:
    """Load the books saved at ``path`` into ``store`` and save every change there from now
    on. False when a saved file could not be read (it was moved aside; the store is empty)."""
    state = StateFile(path)
    readable = True
    try:
        saved = state.load()
    except UnreadableState as exc:
        aside = state.set_aside()
        log.error("the saved state %s could not be read (%s); it is kept as %s and the "
                  "simulator starts with no payments", path, exc, aside)
        readable, saved = False, None
    if saved is not None:
        store.restore(*saved)
        log.info("state restored from %s: %d payments", path, len(saved[0]))
    store.persist = lambda: state.save(store)
    state.save(store)  # the file exists (and is good) from the start
    return readable

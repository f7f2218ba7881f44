"""The payment tables of the central server (migrations 30..49, both dialects).

Every table here is append-only: a row, once written, is never updated or deleted
(triggers refuse it on both dialects). A payment's state is its last ledger row; a
booking's payment is its one ``booking_payments`` row (the primary key is what makes a
booking paid at most once); every booking-side change (paid, paid at the counter,
released unpaid, cancelled with a refund, checked in) is a ``booking_events`` row.
"""

from __future__ import annotations

APPEND_ONLY_TABLES = (
    "payments", "payment_items", "payment_ledger", "payment_refunds", "payment_settlements",
    "payment_staff_items", "booking_payments", "booking_events",
)

_TABLES = """
CREATE TABLE payments (
    payment_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_yen INTEGER NOT NULL CHECK (amount_yen > 0),
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE TABLE payment_items (
    payment_id TEXT NOT NULL REFERENCES payments(payment_id),
    tenant TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    amount_yen INTEGER NOT NULL CHECK (amount_yen >= 0),
    position INTEGER NOT NULL,
    PRIMARY KEY (payment_id, booking_id)
);
CREATE INDEX payment_items_booking ON payment_items (tenant, booking_id);
CREATE TABLE payment_ledger (
    seq {serial} PRIMARY KEY{autoincrement},
    payment_id TEXT NOT NULL REFERENCES payments(payment_id),
    state TEXT NOT NULL,
    refunded_yen INTEGER NOT NULL,
    at {ts} NOT NULL,
    source TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX payment_ledger_payment ON payment_ledger (payment_id, seq);
CREATE TABLE payment_refunds (
    seq {serial} PRIMARY KEY{autoincrement},
    refund_id TEXT NOT NULL,
    payment_id TEXT NOT NULL REFERENCES payments(payment_id),
    amount_yen INTEGER NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    at {ts} NOT NULL,
    UNIQUE (refund_id, state)
);
CREATE TABLE payment_settlements (
    payment_id TEXT PRIMARY KEY REFERENCES payments(payment_id),
    paid TEXT NOT NULL,
    refunded TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE TABLE payment_staff_items (
    seq {serial} PRIMARY KEY{autoincrement},
    tenant TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    note TEXT NOT NULL,
    at {ts} NOT NULL,
    UNIQUE (payment_id, kind, booking_id)
);
CREATE TABLE booking_payments (
    tenant TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('qr', 'counter')),
    payment_id TEXT,
    amount_yen INTEGER NOT NULL,
    by_whom TEXT NOT NULL,
    at {ts} NOT NULL,
    PRIMARY KEY (tenant, booking_id)
);
CREATE TABLE booking_events (
    seq {serial} PRIMARY KEY{autoincrement},
    tenant TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX booking_events_booking ON booking_events (tenant, booking_id, seq);
CREATE INDEX bookings_code ON bookings (tenant, code);
"""


def _sqlite() -> str:
    script = _TABLES.format(ts="TEXT", serial="INTEGER", autoincrement=" AUTOINCREMENT")
    for table in APPEND_ONLY_TABLES:
        for op in ("UPDATE", "DELETE"):
            script += (f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;\n")
    return script


def _postgresql() -> str:
    script = _TABLES.format(ts="TIMESTAMP", serial="BIGSERIAL", autoincrement="")
    script += """
CREATE FUNCTION madoguchi_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
"""
    for table in APPEND_ONLY_TABLES:
        script += (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION madoguchi_append_only();\n")
    return script


# (version, sqlite script, postgresql script); versions 30..49 belong to payments.
PAYMENT_MIGRATIONS: list[tuple[int, str, str]] = [
    (30, _sqlite(), _postgresql()),
]

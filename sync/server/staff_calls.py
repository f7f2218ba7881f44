"""Staff calls: a person at a kiosk asks for help, staff see the call and handle it.

A call carries the kiosk (from its credential, never from the body), the screen the
person is on, where on it (the screen itself, the error message, the "are you still
there?" warning) and the screen's language, so staff know what to bring. Nothing
personal: no name, phone, booking number or anything typed.

The kiosk makes up the call's id, so a retry (a lost answer, a queued call sent when
the link is back, a second tap) never raises a second call. A call is ``open`` until
staff ``acknowledge`` it (on their way) and ``close`` it (done); the person may
``cancel`` it from the kiosk. When the person's session ends (they finished, or the
kiosk wiped an idle session) with the call still open, the kiosk marks it ``left``:
staff on their way learn that nobody is waiting any more. Closed, cancelled and left
calls are deleted after ``KEEP_DONE``. Migrations of this feature use versions 50..59.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from sync.protocol import CityTimeOut

from .db import Database, IntegrityConflict

_TABLE = """
CREATE TABLE staff_calls (
    tenant TEXT NOT NULL REFERENCES tenants(code),
    id TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    kiosk TEXT NOT NULL,
    screen TEXT NOT NULL,
    context TEXT NOT NULL,
    language TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'closed', 'cancelled')),
    raised_at {ts} NOT NULL,
    acknowledged_at {ts},
    acknowledged_by TEXT,
    closed_at {ts},
    closed_by TEXT,
    PRIMARY KEY (tenant, id)
);
CREATE INDEX staff_calls_open ON staff_calls (tenant, status, raised_at);
"""

# 51: the status ``left``. SQLite cannot alter a CHECK constraint: the table is rebuilt
# (same columns, same order) and its rows copied; PostgreSQL swaps the constraint.
_LEFT_SQLITE = (_TABLE.replace("CREATE TABLE staff_calls (", "CREATE TABLE staff_calls_new (")
                .replace("'cancelled')", "'cancelled', 'left')")
                .split("CREATE INDEX")[0].format(ts="TEXT") + """
INSERT INTO staff_calls_new SELECT * FROM staff_calls;
DROP TABLE staff_calls;
ALTER TABLE staff_calls_new RENAME TO staff_calls;
CREATE INDEX staff_calls_open ON staff_calls (tenant, status, raised_at);
""")
_LEFT_POSTGRES = """
ALTER TABLE staff_calls DROP CONSTRAINT staff_calls_status_check;
ALTER TABLE staff_calls ADD CONSTRAINT staff_calls_status_check
    CHECK (status IN ('open', 'acknowledged', 'closed', 'cancelled', 'left'));
"""

STAFF_CALL_MIGRATIONS: list[tuple[int, str, str]] = [
    (50, _TABLE.format(ts="TEXT"), _TABLE.format(ts="TIMESTAMP")),
    (51, _LEFT_SQLITE, _LEFT_POSTGRES),
]

KEEP_DONE = timedelta(days=7)
OPEN_STATES = ("open", "acknowledged")
DONE_STATES = ("closed", "cancelled", "left")

CallId = Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
ScreenName = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_\-]+$")]
LanguageCode = Annotated[str, StringConstraints(min_length=2, max_length=16, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z]{2,8})*$")]
Context = Literal["screen", "error", "timeout"]
Status = Literal["open", "acknowledged", "closed", "cancelled", "left"]


class StaffCallIn(BaseModel):
    """What a kiosk sends: which screen, nothing about the person (extra fields refused)."""

    model_config = ConfigDict(extra="forbid")
    call_id: CallId
    screen: ScreenName
    context: Context = "screen"
    language: LanguageCode | None = None


class StaffCallOut(BaseModel):
    call_id: str
    kiosk: str
    screen: str
    context: Context
    language: str | None = None
    status: Status
    raised_at: CityTimeOut
    acknowledged_at: CityTimeOut | None = None
    acknowledged_by: str | None = None
    closed_at: CityTimeOut | None = None
    closed_by: str | None = None


class CallConflict(Exception):
    """The id is another kiosk's call, or the call is already over."""


@dataclass(frozen=True)
class Raised:
    call: dict[str, Any]
    created: bool  # False: the same call again (idempotent replay)


_COLUMNS = ("id, kiosk, screen, context, language, status, raised_at, acknowledged_at, acknowledged_by,"
            " closed_at, closed_by, credential_id")


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds") if isinstance(value, datetime) else str(value)[:19]


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "call_id": row["id"], "kiosk": row["kiosk"], "screen": row["screen"], "context": row["context"],
        "language": row["language"], "status": row["status"], "raised_at": _iso(row["raised_at"]),
        "acknowledged_at": _iso(row["acknowledged_at"]), "acknowledged_by": row["acknowledged_by"],
        "closed_at": _iso(row["closed_at"]), "closed_by": row["closed_by"],
    }


class StaffCallStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def raise_call(self, tenant: str, credential_id: str, kiosk: str, call: StaffCallIn,
                   now: datetime) -> Raised:
        """Record the call, or return it unchanged when this kiosk sent it before."""
        with self._db.write() as c:
            c.execute("DELETE FROM staff_calls WHERE tenant = ? AND status IN ('closed', 'cancelled', 'left')"
                      " AND closed_at < ?", (tenant, now - KEEP_DONE))
            found = c.one(f"SELECT {_COLUMNS} FROM staff_calls WHERE tenant = ? AND id = ?", (tenant, call.call_id))
            if found is not None:
                if found["credential_id"] != credential_id:
                    raise CallConflict("call id in use by another kiosk")
                return Raised(_out(found), False)
            try:
                with c.savepoint():
                    c.execute(
                        "INSERT INTO staff_calls (tenant, id, credential_id, kiosk, screen, context, language,"
                        " status, raised_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)",
                        (tenant, call.call_id, credential_id, kiosk, call.screen, call.context, call.language, now),
                    )
            except IntegrityConflict:  # the same id raced in from elsewhere
                raise CallConflict("call id in use") from None
            row = c.one(f"SELECT {_COLUMNS} FROM staff_calls WHERE tenant = ? AND id = ?", (tenant, call.call_id))
        return Raised(_out(row), True)

    def get(self, tenant: str, call_id: str, credential_id: str | None = None) -> dict[str, Any] | None:
        """One call of the tenant (of one kiosk, with ``credential_id``)."""
        with self._db.read() as c:
            row = c.one(f"SELECT {_COLUMNS} FROM staff_calls WHERE tenant = ? AND id = ?", (tenant, call_id))
        if row is None or (credential_id is not None and row["credential_id"] != credential_id):
            return None
        return _out(row)

    def list(self, tenant: str, include_closed: bool = False,
             ended_after: datetime | None = None) -> list[dict[str, Any]]:
        """Open and acknowledged calls; with ``include_closed`` every call; with
        ``ended_after`` also the calls that ended since then (a console shows them a while)."""
        sql, args = f"SELECT {_COLUMNS} FROM staff_calls WHERE tenant = ?", [tenant]
        if ended_after is not None and not include_closed:
            sql += " AND (status IN ('open', 'acknowledged') OR closed_at >= ?)"
            args.append(ended_after)
        elif not include_closed:
            sql += " AND status IN ('open', 'acknowledged')"
        with self._db.read() as c:
            return [_out(r) for r in c.all(sql + " ORDER BY raised_at, id", tuple(args))]

    def acknowledge(self, tenant: str, call_id: str, staff: str, now: datetime) -> dict[str, Any] | None:
        """Staff are on their way. Idempotent; a call that is over stays over."""
        with self._db.write() as c:
            c.execute("UPDATE staff_calls SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?"
                      " WHERE tenant = ? AND id = ? AND status = 'open'", (now, staff, tenant, call_id))
            row = c.one(f"SELECT {_COLUMNS} FROM staff_calls WHERE tenant = ? AND id = ?", (tenant, call_id))
        return _out(row) if row is not None else None

    def close(self, tenant: str, call_id: str, staff: str, now: datetime) -> dict[str, Any] | None:
        with self._db.write() as c:
            c.execute("UPDATE staff_calls SET status = 'closed', closed_at = ?, closed_by = ?"
                      " WHERE tenant = ? AND id = ? AND status IN ('open', 'acknowledged')",
                      (now, staff, tenant, call_id))
            row = c.one(f"SELECT {_COLUMNS} FROM staff_calls WHERE tenant = ? AND id = ?", (tenant, call_id))
        return _out(row) if row is not None else None

    def cancel(self, tenant: str, call_id: str, credential_id: str, now: datetime) -> dict[str, Any] | None:
        """The person no longer needs help (only the kiosk that raised it may cancel)."""
        return self._end_by_kiosk("cancelled", tenant, call_id, credential_id, now)

    def left(self, tenant: str, call_id: str, credential_id: str, now: datetime) -> dict[str, Any] | None:
        """The person's session ended with the call open: nobody waits at the kiosk now.
        Only the kiosk that raised it may say so; a call already over stays as it is."""
        return self._end_by_kiosk("left", tenant, call_id, credential_id, now)

    def _end_by_kiosk(self, status: str, tenant: str, call_id: str, credential_id: str,
                      now: datetime) -> dict[str, Any] | None:
        assert status in ("cancelled", "left")  # never from input: it is spliced into the SQL
        with self._db.write() as c:
            c.execute(f"UPDATE staff_calls SET status = '{status}', closed_at = ?"
                      " WHERE tenant = ? AND id = ? AND credential_id = ? AND status IN ('open', 'acknowledged')",
                      (now, tenant, call_id, credential_id))
            row = c.one(f"SELECT {_COLUMNS} FROM staff_calls WHERE tenant = ? AND id = ? AND credential_id = ?",
                        (tenant, call_id, credential_id))
        return _out(row) if row is not None else None

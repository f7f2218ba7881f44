"""One small database seam over SQLite (embedded default) and PostgreSQL (production).

SQL is written once with ``?`` placeholders and ISO timestamps; the PostgreSQL side
rewrites placeholders to ``%s``. Datetimes go in as ``datetime`` and come out as
``datetime`` on both dialects (SQLite stores ``YYYY-MM-DDTHH:MM:SS`` text, which sorts
like time, so overlap queries are plain comparisons).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

DB_URL_ENV = "MADOGUCHI_DB_URL"
_NUMBERED = re.compile(r"\?(\d+)")
DEFAULT_SQLITE_PATH = "var/madoguchi-server.sqlite"


class IntegrityConflict(Exception):
    """A unique or exclusion constraint refused a write; ``kind`` says which."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind  # "exclusion" (time overlap) or "unique"


def resolve_url(url: str | None) -> str:
    """The URL from the argument, else ``MADOGUCHI_DB_URL``, else the embedded SQLite file."""
    return url or os.environ.get(DB_URL_ENV) or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _to_db(value: Any, dialect: str) -> Any:
    if dialect == "sqlite" and isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


class Connection:
    """A connection inside one transaction, with dict rows."""

    def __init__(self, raw: Any, dialect: str) -> None:
        self.raw = raw
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        if self.dialect != "postgresql":
            return sql
        if _NUMBERED.search(sql):  # ?1, ?2 ... (a value used twice): named on psycopg
            return _NUMBERED.sub(lambda m: f"%(p{m.group(1)})s", sql)
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        args: Any = tuple(_to_db(p, self.dialect) for p in params)
        try:
            if self.dialect == "postgresql":
                if args and _NUMBERED.search(sql):
                    args = {f"p{i}": v for i, v in enumerate(args, 1)}
                # no parameters: simple protocol, so a migration script may hold many statements
                return self.raw.execute(self._sql(sql), args or None)
            return self.raw.execute(sql, args)
        except Exception as exc:  # translate constraint errors into one type
            raise _translate(exc) from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        data = [tuple(_to_db(p, self.dialect) for p in row) for row in rows]
        try:
            if self.dialect == "postgresql":
                with self.raw.cursor() as cur:
                    cur.executemany(self._sql(sql), data)
            else:
                self.raw.executemany(sql, data)
        except Exception as exc:
            raise _translate(exc) from exc

    def insert_many(self, table: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT ``rows`` into ``table``; ``columns``: (name, PostgreSQL type) pairs.

        PostgreSQL: ONE statement whatever the number of rows, the rows going as one JSON
        parameter (``json.dumps`` is C; psycopg would dump each value in Python, and in
        a pipeline wait on the socket, giving up the GIL, after every row of an
        ``executemany``). The statement text depends on the table only, so psycopg
        caches its parse and the server prepares it once. SQLite: ``executemany``."""
        names = ", ".join(n for n, _ in columns)
        if self.dialect == "postgresql":
            self.execute(f"INSERT INTO {table} ({names}) SELECT {json_columns(columns)}"
                         " FROM json_array_elements(?::json) AS x", (json_rows(rows),))
        else:
            self.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        row = self.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.execute(sql, params).fetchall()]

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Plain tuples, for the bulk read paths (snapshot, change feed): building a
        dict per row costs more than the query itself at 100k rows."""
        args = tuple(_to_db(p, self.dialect) for p in params)
        if self.dialect == "postgresql":
            from psycopg.rows import tuple_row

            with self.raw.cursor(row_factory=tuple_row) as cur:
                cur.execute(self._sql(sql), args or None)
                return cur.fetchall()
        cur = self.raw.cursor()
        cur.row_factory = None
        return cur.execute(sql, args).fetchall()

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        """SQL testing ``column`` against a list of values, and its parameters: one
        array parameter on PostgreSQL (the same prepared statement for any length), an
        ``IN`` list on SQLite (no arrays there)."""
        if self.dialect == "postgresql":
            return f"{column} = ANY(?)", ([_to_db(v, self.dialect) for v in values],)
        return f"{column} IN ({', '.join('?' * len(values))})", tuple(values)

    def text_keys(self, alias: str, values: Sequence[str]) -> tuple[str, tuple[Any, ...]]:
        """A FROM item listing ``values`` as rows of one column ``{alias}.v``, and its one
        parameter: ``unnest`` of a text array on PostgreSQL, ``json_each`` on SQLite. The
        statement text is the same for any number of values.

        A subquery correlated with ``{alias}.v`` on a table's whole key is one index
        lookup per value, whatever the planner's statistics say."""
        if self.dialect == "postgresql":
            return f"unnest(?::text[]) AS {alias}(v)", (list(values),)
        return f"(SELECT value AS v FROM json_each(?)) AS {alias}", (json.dumps(list(values)),)

    def iso(self, column: str) -> str:
        """SQL for ``column`` (a timestamp) as 'YYYY-MM-DDTHH:MM:SS' text on both
        dialects, so rows go to the wire without a datetime round trip in Python."""
        if self.dialect == "postgresql":
            return f"to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        return column

    @contextmanager
    def pipeline(self) -> Iterator[None]:
        """Statements inside are sent to PostgreSQL together (one round trip, errors
        surface at the end of the block); a plain block on SQLite. Read no results
        inside: that forces a round trip."""
        if self.dialect != "postgresql":
            yield
            return
        try:
            with self.raw.pipeline():
                yield
        except Exception as exc:
            raise _translate(exc) from exc

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Undo only the inner writes when they fail (PostgreSQL aborts the whole
        transaction on a constraint error otherwise)."""
        self.raw.execute("SAVEPOINT sp")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK TO SAVEPOINT sp")
            raise
        self.raw.execute("RELEASE SAVEPOINT sp")


def _translate(exc: Exception) -> Exception:
    name = type(exc).__name__
    if name == "ExclusionViolation" or (
        isinstance(exc, sqlite3.IntegrityError) and "no_double_booking" in str(exc)
    ):
        return IntegrityConflict("exclusion", str(exc))
    if name == "UniqueViolation" or (
        isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
    ):
        return IntegrityConflict("unique", str(exc))
    return exc


def json_columns(columns: Sequence[tuple[str, str]], row: str = "x") -> str:
    """SQL for the fields of a JSON array ``row``, typed: ``(x->>0)::text, ...``."""
    return ", ".join(f"({row}->>{i})::{t}" for i, (_, t) in enumerate(columns))


def json_rows(rows: Sequence[Sequence[Any]]) -> str:
    """``rows`` as a JSON array of arrays; datetimes as ISO text, which PostgreSQL reads
    back as ``timestamp``."""
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def parse_dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


class Database:
    """Transactions on either dialect. ``write()`` is serialised per database on SQLite
    (BEGIN IMMEDIATE) and relies on row locks and constraints on PostgreSQL."""

    def __init__(self, url: str, *, pool_size: int = 16) -> None:
        self.url = resolve_url(url)
        if self.url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgresql"
            from psycopg.rows import dict_row
            from psycopg_pool import ConnectionPool

            self._pool = ConnectionPool(
                self.url,
                min_size=1,
                max_size=pool_size,
                kwargs={"row_factory": dict_row, "autocommit": False},
                open=True,
                timeout=30,
            )
        else:
            self.dialect = "sqlite"
            path = self.url.removeprefix("sqlite:///").removeprefix("sqlite://")
            self.path = Path(path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._local = threading.local()

    # -- SQLite: one connection per thread, explicit transactions ----------------------
    def _sqlite(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            _set_wal(conn)
            conn.execute("PRAGMA synchronous=FULL")  # an acknowledged mutation survives power loss
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[Connection]:
        if self.dialect == "postgresql":
            with self._pool.connection() as raw:
                if begin == "BEGIN":  # reads see one snapshot (busy intervals + cursor agree)
                    raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                # the pool commits on clean exit and rolls back on an exception
                yield Connection(raw, "postgresql")
            return
        raw = self._sqlite()
        raw.execute(begin)
        try:
            yield Connection(raw, "sqlite")
        except BaseException:
            raw.execute("ROLLBACK")
            raise
        raw.execute("COMMIT")

    def write(self) -> Any:
        return self._transaction("BEGIN IMMEDIATE")

    def read(self) -> Any:
        return self._transaction("BEGIN")

    def close(self) -> None:
        if self.dialect == "postgresql":
            self._pool.close()
        else:
            conn = getattr(self._local, "conn", None)
            if conn is not None:
                conn.close()
                self._local.conn = None


def _set_wal(conn: sqlite3.Connection, patience_s: float = 30.0) -> None:
    """Switch ``conn``'s database to WAL.

    Changing the journal mode needs a moment of exclusive access, and SQLite answers
    "database is locked" at once, without its busy handler, while another connection is
    doing the same (several server workers or migrators opening a fresh file together).
    Retry for a while: it is a matter of milliseconds."""
    deadline = time.monotonic() + patience_s
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

"""Fixtures: the same server tests on SQLite and on the real PostgreSQL at 127.0.0.1:5432.

Each PostgreSQL test gets a fresh database (created from template0, dropped after).
Without PostgreSQL the postgres cases skip locally and FAIL when CI=true.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from kiosk.opendata import sample_city_dir
from kiosk.staff_calls import StaffCallSender
from sync.server.db import Database
from sync.server.migrations import migrate
from sync.server.process import ServerProcess
from sync.server.tenants import add_tenant, enrol

from .faultproxy import FaultProxy

PG_ADMIN_URL = os.environ.get("MADOGUCHI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin():
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")


@pytest.fixture
def pg_url() -> Iterator[str]:
    admin = _pg_admin()
    name = f"mdg_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite'}"
    return request.getfixturevalue("pg_url")


@dataclass
class Tenant:
    code: str
    kiosk_tokens: dict[str, str]
    staff_token: str


def seed(db_url: str, tenants: dict[str, list[str]]) -> dict[str, Tenant]:
    """Tenants with sample-city data, their kiosks and one staff credential each."""
    db = Database(db_url)
    try:
        migrate(db)
        out = {}
        for code, kiosks in tenants.items():
            add_tenant(db, code, sample_city_dir())
            out[code] = Tenant(
                code,
                {k: enrol(db, code, k, "kiosk") for k in kiosks},
                enrol(db, code, "staff-1", "staff"),
            )
        return out
    finally:
        db.close()


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator:
    started: list[ServerProcess] = []

    def make(db_url: str) -> ServerProcess:
        srv = ServerProcess(db_url, log_path=tmp_path / f"server-{len(started)}.log").start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.close()


def client(server: ServerProcess, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=10)


def open_day(facility_id: str = "chuo-kominkan", min_days: int = 10, now: datetime | None = None) -> date:
    """A day the facility is open, far enough ahead for every rule (window, deadline)."""
    from kiosk.domain.calendar import closure_reason
    from kiosk.opendata import load_city

    city = load_city(sample_city_dir())
    facility = next(f for f in city.facilities if f.id == facility_id)
    from sync.server.clock import server_now

    day = (now or server_now()).date() + timedelta(days=min_days)
    while closure_reason(facility, day) is not None:
        day += timedelta(days=1)
    return day


def book_mutation(booking_id: str, unit_id: str, day: date, block: str = "morning", *,
                  provisional: bool = False, person: str | None = None, mutation_id: str | None = None,
                  contact: dict | None = None) -> dict:
    hours = {"morning": (9, 12), "afternoon": (13, 17), "evening": (18, 21)}[block]
    start = datetime.combine(day, datetime.min.time()).replace(hour=hours[0])
    end = start.replace(hour=hours[1])
    return {
        "mutation_id": mutation_id or booking_id,
        "kind": "book",
        "booking": {
            "booking_id": booking_id,
            "code": "K7Q-4MX",
            "unit_id": unit_id,
            "slots": [{"start": start.isoformat(), "end": end.isoformat(), "block_code": block}],
            "residency": "resident",
            "person_key": person or f"p-{booking_id}",
            "contact": contact or {"name": "山田 花子", "phone": "090-0000-0000"},
            "provisional": provisional,
        },
    }


@dataclass
class CallLink:
    """A kiosk's staff-call sender reaching a real server through a proxy that can cut
    the network (``proxy.down``), and a staff client on the server itself."""

    proxy: FaultProxy
    sender: StaffCallSender
    staff: httpx.Client


@pytest.fixture
def call_link(tmp_path, server_factory) -> Iterator[CallLink]:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    t = seed(db_url, {"midori": ["library-1"]})["midori"]
    srv = server_factory(db_url)
    proxy = FaultProxy(srv.url, faulty_paths=()).start()
    sender = StaffCallSender(proxy.url, t.kiosk_tokens["library-1"], retry_s=0.2, timeout=2).start()
    try:
        yield CallLink(proxy, sender, client(srv, t.staff_token))
    finally:
        sender.close()
        proxy.close()

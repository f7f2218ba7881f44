"""Fixtures: the real simulator process, a real webhook receiver, the server's database
(a SQLite file, or a fresh PostgreSQL database) with the sample city, and the payment
service over all of them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.opendata import sample_city_dir
from sync.payments import (
    BookingOperations,
    InvalidWebhook,
    PaymentsConfig,
    PaymentService,
    ProviderClient,
    ReceiptSigner,
    WebhookVerifier,
)
from sync.protocol import BookMutation
from sync.server.bookings import BookingService
from sync.server.cities import CityRegistry
from sync.server.db import Database
from sync.server.migrations import migrate
from sync.server.tenants import Credential, add_tenant

from .helpers import SimProcess, WebhookReceiver, city_now

PG_ADMIN_URL = os.environ.get("MADOGUCHI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TENANT = "122999"


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
    name = f"mdg_pay_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver()
    yield r
    r.stop()


@pytest.fixture(scope="session")
def sim(receiver: WebhookReceiver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimProcess]:
    s = SimProcess(tmp_path_factory.mktemp("paysim"), receiver.url)
    yield s
    s.stop()


def make_provider(sim: SimProcess, timeout: float = 1.0, attempts: int = 3) -> ProviderClient:
    return ProviderClient(sim.url, sim.api_key, sim.api_secret, timeout=timeout,
                          attempts=attempts, backoff_seconds=0.05)


def open_day(facility_id: str = "chuo-kominkan", min_days: int = 10) -> date:
    """A day the facility is open, far enough ahead for every rule (window, deadline)."""
    from kiosk.domain.calendar import closure_reason
    from kiosk.opendata import load_city

    city = load_city(sample_city_dir())
    facility = next(f for f in city.facilities if f.id == facility_id)
    day = city_now().date() + timedelta(days=min_days)
    while closure_reason(facility, day) is not None:
        day += timedelta(days=1)
    return day


BLOCKS = {"morning": (9, 12), "afternoon": (13, 17), "evening": (18, 21)}


@dataclass
class World:
    db: Database
    service: PaymentService
    ops: BookingOperations
    bookings: BookingService
    sim: SimProcess
    receiver: WebhookReceiver
    kiosk: Credential
    config: PaymentsConfig
    changes: list[str]

    def book(self, unit: str = "chuo-hall", day: date | None = None, block: str = "morning",
             phone: str = "090-1234-5678", booking_id: str | None = None) -> str:
        booking_id = booking_id or "bk-" + uuid.uuid4().hex[:12]
        day = day or open_day()
        start = datetime.combine(day, datetime.min.time()).replace(hour=BLOCKS[block][0])
        result = self.bookings.apply(self.kiosk, BookMutation.model_validate({
            "mutation_id": booking_id, "kind": "book",
            "booking": {"booking_id": booking_id, "code": "K" + uuid.uuid4().hex[:6].upper(),
                        "unit_id": unit, "residency": "resident", "person_key": "p-" + booking_id,
                        "contact": {"name": "山田 花子", "phone": phone},
                        "slots": [{"start": start.isoformat(),
                                   "end": start.replace(hour=BLOCKS[block][1]).isoformat(),
                                   "block_code": block}]}}))
        assert result.status is not None and result.status.value == "confirmed", result
        return booking_id

    def code(self, booking_id: str) -> str:
        with self.db.read() as c:
            return c.one("SELECT code FROM bookings WHERE tenant = ? AND id = ?", (TENANT, booking_id))["code"]


def make_world(db_url: str, sim: SimProcess, receiver: WebhookReceiver, tmp: Path,
               **settings) -> World:
    db = Database(db_url)
    migrate(db)
    add_tenant(db, TENANT, sample_city_dir())
    config = PaymentsConfig(provider_url=sim.url, api_key=sim.api_key, api_secret=sim.api_secret,
                            webhook_secret=sim.webhook_secret, reconcile_grace_s=0.0,
                            poll_interval_s=0.0, **settings)
    cities = CityRegistry(db)
    changes: list[str] = []
    service = PaymentService(db, make_provider(sim), WebhookVerifier(sim.webhook_secret), cities,
                             config, on_change=changes.append)
    ops = BookingOperations(service, ReceiptSigner.load_or_create(tmp / "receipt.key"))
    kiosk = Credential("cred-k1", TENANT, "kiosk", "k1", False)
    return World(db, service, ops, BookingService(db, cities), sim, receiver, kiosk, config, changes)


@pytest.fixture
def world(db_url: str, sim: SimProcess, receiver: WebhookReceiver, tmp_path: Path) -> Iterator[World]:
    sim.set_faults()
    receiver.fail_next = 0
    w = make_world(db_url, sim, receiver, tmp_path)

    def handle(body: bytes, headers: dict[str, str]) -> int:
        try:
            w.service.handle_webhook(body, headers, city_now())
        except InvalidWebhook:
            return 401
        return 200

    receiver.handler = handle
    yield w
    receiver.detach()  # no webhook may reach w.service once its database is closed
    sim.set_faults()
    assert w.service.provider is not None
    w.service.provider.close()
    w.db.close()


@dataclass
class Env:
    """The provider adapter alone against the simulator (test_sim_api)."""

    sim: SimProcess
    provider: ProviderClient


@pytest.fixture
def env(sim: SimProcess, receiver: WebhookReceiver) -> Iterator[Env]:
    sim.set_faults()
    receiver.detach()
    provider = make_provider(sim)
    yield Env(sim, provider)
    sim.set_faults()
    provider.close()

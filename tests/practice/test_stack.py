"""Integration: practice mode started in an environment that names a production
server, provider, database, token and data dir. It uses none of them: a booking made
and paid on a practice seat reaches only the practice server and the simulator it
started on 127.0.0.1, and a "production" HTTP service listening all along sees no
request. The volunteer's reset then cancels the booking and refunds the payment."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from kiosk.app import KioskConfig, make_payments, open_cache
from kiosk.domain.model import Residency
from kiosk.flow import KioskFlow, State
from kiosk.flow.screens import bookable_day
from kiosk.practice.config import PRACTICE_CITY_DIR, PracticeSettings, check_practice, loopback_url
from kiosk.practice.room import Room
from kiosk.practice.seat import booking_ids
from kiosk.practice.stack import PAYSIM_STATE_FILE, PracticeStack, start_practice
from kiosk.server_link import LinkClock, SyncedServerLink
from sync.client import SyncEngine


class Production:
    """Stands in for the city's real server and a real payment provider: records
    every request it gets (it should get none)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                outer.requests.append(f"{self.command} {self.path}")
                body = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    from kiosk.tools import compile_catalogs

    compile_catalogs.main([])


@pytest.fixture
def production(tmp_path: Path) -> Iterator[Production]:
    prod = Production()
    yield prod
    prod.close()


@pytest.fixture
def hostile_env(production: Production, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Every setting that could point a kiosk at production, set in our environment."""
    saved = dict(os.environ)
    prod_dir = tmp_path / "production"
    token = tmp_path / "prod-kiosk.token"
    token.write_text("production-token")
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\nserver_url = "{production.url}"\n')
    env = {
        "MADOGUCHI_SERVER_URL": production.url, "MADOGUCHI_KIOSK_TOKEN_FILE": str(token),
        "MADOGUCHI_CONFIG": str(config), "MADOGUCHI_DATA_DIR": str(prod_dir),
        "MADOGUCHI_CITY_DIR": "/nonexistent/city", "MADOGUCHI_CARD_READER": "any",
        "MADOGUCHI_PAY_PROVIDER_URL": production.url, "MADOGUCHI_PAY_API_KEY": "prod-key",
        "MADOGUCHI_PAY_API_SECRET": "prod-secret", "MADOGUCHI_PAY_WEBHOOK_SECRET": "prod-webhook",
        "MADOGUCHI_DB_URL": f"sqlite:///{tmp_path / 'production.sqlite'}",
        "MADOGUCHI_RECEIPT_PRINTER": "tcp:127.0.0.1:9",
    }
    os.environ.update(env)
    yield env
    os.environ.clear()
    os.environ.update(saved)


def first_open_day(flow: KioskFlow):
    today = flow.clock.now().date()
    for offset in range(5, 60):
        day = today + timedelta(days=offset)
        if bookable_day(flow, day):
            return day
    raise AssertionError("no open day in the practice city")


def pay_on_a_seat(stack: PracticeStack, closing: ExitStack) -> KioskFlow:
    """A learner books and pays on a practice seat, through the real practice server: the
    kiosk's flow, on its receipt (its cache, link and payments client close with ``closing``)."""
    config = stack.config
    token = config.kiosk_token_file.read_text().strip()
    cache = open_cache(config)
    closing.callback(cache.close)
    link = SyncedServerLink(SyncEngine(cache, config.server_url, token, timeout=2.0,
                                       long_poll_seconds=1.0, push_interval=0.2))
    link.start()
    client, _ = make_payments(config)
    closing.callback(client.close)
    closing.callback(link.close)  # first: the link, then the client, then the cache
    flow = KioskFlow(cache, LinkClock(link), link=link, confirm_timeout_s=5.0, payments=client)
    flow.select_language("vi")
    flow.select_task()
    flow.select_category("hall")
    flow.select_unit("practice-hall")
    flow.select_day(first_open_day(flow))
    flow.screen().slots[0].run()
    flow.select_slots()
    flow.select_identify_method("guest")
    flow.select_guest_details("Nguyen Van A", "090-1111-2222", Residency.RESIDENT)
    flow.select_book()
    assert flow.state is State.PAY_CHOICE, flow.notices_text()
    flow.pay.choose_qr()
    assert flow.state is State.PAYING
    qr_url = flow.pay.s.payment.qr_url
    assert qr_url.startswith(stack.endpoints.paysim_url + "/pay/")
    assert httpx.post(f"{qr_url}/approve").status_code == 200
    deadline = time.monotonic() + 15
    while flow.state is not State.RECEIPT:
        assert time.monotonic() < deadline, f"still {flow.state}"
        if flow.pay.wants_poll():
            flow.pay.apply(flow.pay.fetch())
        time.sleep(0.1)
    return flow


def test_practice_mode_never_reaches_production(hostile_env, production: Production, tmp_path: Path):
    settings = PracticeSettings.from_env(data_dir=tmp_path / "practice", seats=2)
    assert "MADOGUCHI_SERVER_URL" in settings.ignored
    stack = start_practice(settings)
    closing = ExitStack()
    try:
        config = stack.config
        # The environment that named production is gone for every process practice mode starts.
        assert not any(k in os.environ for k in hostile_env)
        assert KioskConfig.from_env().server_url is None
        assert config.server_url == stack.endpoints.server_url == loopback_url(config.server_url)
        assert stack.server_env["MADOGUCHI_PAY_PROVIDER_URL"] == stack.endpoints.paysim_url
        check_practice(config, stack.endpoints, provider_url=stack.server_env["MADOGUCHI_PAY_PROVIDER_URL"])
        assert config.city_dir == PRACTICE_CITY_DIR and config.data_dir == (tmp_path / "practice").resolve()
        token = config.kiosk_token_file.read_text().strip()
        assert httpx.get(config.server_url + "/v1/whoami",
                         headers={"Authorization": f"Bearer {token}"}).json()["tenant"] == "129999"

        # A learner books and pays on a practice seat, through the real practice server.
        flow = pay_on_a_seat(stack, closing)
        [booking_id] = booking_ids(flow.session)
        assert stack.booking_status(booking_id) == "confirmed"

        # The volunteer resets the seat: the booking is cancelled and refunded.
        room = Room(2, stack.cancel)
        room.observe(1, room.attach(1).generation, flow.state.value, "vi", booking_ids(flow.session))
        assert room.reset(1).cancelled == (booking_id,)
        assert stack.booking_status(booking_id) == "cancelled"
        sim = httpx.get(stack.endpoints.paysim_url + "/_sim/payments").json()["payments"]
        assert [(p["status"], p["refundedAmount"] == p["amount"]["amount"]) for p in sim] == [("REFUNDED", True)], sim
    finally:
        closing.close()
        stack.close()
    assert production.requests == []
    assert not Path(hostile_env["MADOGUCHI_DATA_DIR"]).exists()
    assert not (tmp_path / "production.sqlite").exists()


@pytest.fixture
def kept_env() -> Iterator[None]:
    """start_practice scrubs this process's environment: give it back afterwards."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_after_a_practice_restart_the_reset_refunds_a_booking_paid_before_it(kept_env, tmp_path: Path):
    settings = PracticeSettings.from_env(data_dir=tmp_path / "practice", seats=1)
    stack = start_practice(settings)
    try:
        with ExitStack() as closing:
            [booking_id] = booking_ids(pay_on_a_seat(stack, closing).session)
    finally:
        stack.close()  # the workshop laptop is restarted: the simulator's memory is gone
    saved = json.loads((tmp_path / "practice" / PAYSIM_STATE_FILE).read_text())
    assert [p["status"] for p in saved["payments"]] == ["COMPLETED"]

    stack = start_practice(settings)  # the same data dir
    try:
        room = Room(1, stack.cancel)  # (the room itself comes back from practice-room.json)
        room.observe(1, room.attach(1).generation, "receipt", "vi", [booking_id])
        assert room.reset(1).cancelled == (booking_id,)
        assert stack.booking_status(booking_id) == "cancelled"
        sim = httpx.get(stack.endpoints.paysim_url + "/_sim/payments").json()["payments"]
        assert [(p["status"], p["refundedAmount"] == p["amount"]["amount"]) for p in sim] == [("REFUNDED", True)], sim
    finally:
        stack.close()


def test_stopping_the_practice_command_stops_its_companions(tmp_path: Path):
    from kiosk.practice.process import PracticeProcess

    practice = PracticeProcess(tmp_path / "data", seats=1).start()
    try:
        urls = [practice.server_url + "/v1/time", practice.paysim_url + "/_sim/health", practice.url + "/"]
        assert all(httpx.get(u, timeout=5).status_code == 200 for u in urls)
    finally:
        practice.stop()  # SIGTERM, as `kill` or a service manager sends
    assert practice.proc.returncode is not None
    for url in urls:
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=2)

"""The simulator's customer page on a LAN address for learners' phones: a real simulator
process with a second listener on a private address of this machine. The QR code's URL
points there; there the customer page works and nothing else exists; public addresses
(and "every address") are refused, by the simulator and by practice mode's settings."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from kiosk.payments.demo import REPO, start_simulator_with_phones
from kiosk.practice.config import PracticeConfigError, PracticeSettings
from sync.paysim.lan import NotPrivate, client_allowed, phone_host
from sync.payments import ProviderClient, ProviderStatus

from .helpers import city_now


def lan_address() -> str:
    """A private-network address of this machine that can be bound (else 127.0.0.2)."""
    out = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    for candidate in out:
        try:
            host = phone_host(candidate)
        except NotPrivate:
            continue
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as s:
            try:
                s.bind((host, 0))
                return host
            except OSError:
                continue
    return "127.0.0.2"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "8.8.8.8", "192.0.2.2", "203.0.113.7", "100.64.0.1",
                                  "2001:db8::1", "224.0.0.1", "kiosk.local", ""])
def test_public_or_every_address_is_refused(host: str) -> None:
    with pytest.raises(NotPrivate):
        phone_host(host)
    if host and host != "kiosk.local":
        with pytest.raises(PracticeConfigError):
            PracticeSettings.from_env({"MADOGUCHI_PRACTICE_PHONE_HOST": host})


def test_private_addresses_are_taken() -> None:
    for host in ("10.1.2.3", "172.20.0.5", "192.168.1.20", "fd00::2", "fe80::1", "127.0.0.2"):
        assert phone_host(host) == host
    settings = PracticeSettings.from_env({"MADOGUCHI_PRACTICE_PHONE_HOST": "192.168.1.20",
                                          "MADOGUCHI_PRACTICE_PHONE_PORT": "8766"})
    assert (settings.phone_host, settings.phone_port, settings.ignored) == ("192.168.1.20", 8766, ())
    assert PracticeSettings.from_env({}).phone_host is None  # default: 127.0.0.1 only
    assert client_allowed("192.168.1.30") and not client_allowed("8.8.8.8") and not client_allowed(None)


def test_the_simulator_refuses_a_public_phone_host(tmp_path: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "sync.paysim", "--port", "0", "--phone-host", "8.8.8.8",
                        "--credentials", str(tmp_path / "c.json")], cwd=REPO, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and "private-network" in r.stderr


def test_phones_on_the_lan_pay_on_the_customer_page_and_reach_nothing_else(tmp_path: Path) -> None:
    host = lan_address()
    proc, url, phones = start_simulator_with_phones(tmp_path, 0, host, 0)
    try:
        assert url.startswith("http://127.0.0.1:") and phones is not None and host in phones
        creds = json.loads((tmp_path / "paysim-credentials.json").read_text())
        provider = ProviderClient(url, creds["api_key"], creds["api_secret"], timeout=5)
        created = provider.create_code("pay-" + uuid.uuid4().hex, 1200, city_now() + timedelta(minutes=5), "hall")
        assert created.url == f"{phones}/pay/{created.code_id}"  # the QR code points at the phones' page
        phone = httpx.Client(base_url=phones, timeout=5)
        assert phone.get(f"/pay/{created.code_id}").status_code == 200
        assert created.code_id in phone.get("/").text  # the waiting list
        assert phone.post(f"/pay/{created.code_id}/approve").json()["status"] == "COMPLETED"
        assert provider.get_payment(created.merchant_payment_id).status is ProviderStatus.COMPLETED
        # the merchant and control APIs are not on the phones' listener
        for method, path in (("POST", "/v2/codes"), ("GET", f"/v2/codes/payments/{created.merchant_payment_id}"),
                             ("GET", "/_sim/health"), ("GET", "/_sim/payments"), ("POST", "/_sim/faults"),
                             ("GET", "/docs"), ("GET", "/openapi.json")):
            assert phone.request(method, path).status_code == 404, path
        assert httpx.get(url + "/_sim/health", timeout=5).status_code == 200  # still on loopback
    finally:
        proc.terminate()
        proc.wait(10)

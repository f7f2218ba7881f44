"""What ``python -m kiosk practice`` starts beside the kiosk, all on 127.0.0.1:

- the payment simulator (``python -m sync.paysim``) whose customer page a learner pays on,
  its payments kept in ``paysim-state.json`` in the practice data dir (``--state``);
- a central server (``python -m sync.server``) on its own SQLite file in the practice data
  dir, the practice city 練習市 as its only tenant, the simulator as its provider, the
  virtual card's test CA as its trusted JPKI CA.

The environment is scrubbed first (``config.scrub_environment``) and the result is
checked (``config.check_practice``): a practice kiosk cannot be pointed at production.
``PracticeStack.cancel`` is the volunteer's reset: it cancels a practice booking on the
practice server with the staff token practice mode issued (its payment is refunded by
the simulator, its time is free again).
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kiosk.app import KioskConfig
from kiosk.practice.config import (
    PRACTICE_CITY_CODE,
    PRACTICE_CITY_DIR,
    PracticeConfigError,
    PracticeEndpoints,
    PracticeSettings,
    check_practice,
    kiosk_config,
    loopback_url,
    prepare_data_dir,
    scrub_environment,
)

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/v1/payments/webhooks/provider"
PAYSIM_STATE_FILE = "paysim-state.json"  # in the practice data dir, beside practice-room.json


@dataclass
class PracticeStack:
    settings: PracticeSettings
    endpoints: PracticeEndpoints
    config: KioskConfig
    staff_token: str
    server_env: dict[str, str]
    _stops: list = field(default_factory=list, repr=False)

    def cancel(self, booking_id: str) -> bool:
        """Cancel one practice booking on the practice server. True: gone (or already)."""
        try:
            r = httpx.post(f"{self.endpoints.server_url}/v1/staff/bookings/{booking_id}/cancel",
                           headers={"Authorization": f"Bearer {self.staff_token}"}, timeout=10)
        except httpx.HTTPError as exc:
            log.warning("practice reset: cancelling %s failed: %s", booking_id, type(exc).__name__)
            return False
        if r.status_code in (200, 404):  # 404: it never reached the server
            return True
        log.warning("practice reset: cancelling %s: HTTP %s", booking_id, r.status_code)
        return False

    def booking_status(self, booking_id: str) -> str | None:
        """The practice server's status of a booking (tests, the volunteer page)."""
        r = httpx.get(f"{self.endpoints.server_url}/v1/staff/bookings/{booking_id}/payment",
                      headers={"Authorization": f"Bearer {self.staff_token}"}, timeout=10)
        return r.json().get("status") if r.status_code == 200 else None

    def close(self) -> None:
        for stop in reversed(self._stops):
            try:
                stop()
            except Exception:
                log.exception("stopping a practice companion failed")
        self._stops.clear()


def _stop_process(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_practice(settings: PracticeSettings) -> PracticeStack:
    """Scrub the environment, start the simulator and the practice server, return the
    checked kiosk configuration. On failure, whatever started is stopped."""
    from kiosk.card.virtual.demo import trust_virtual_ca
    from kiosk.demo import ensure_demo_tenant
    from kiosk.payments.demo import start_simulator_with_phones
    from sync.server.process import ServerProcess

    removed = scrub_environment(os.environ)
    if removed:
        log.warning("practice mode ignores these settings (it never uses a real server, "
                    "provider or data): %s", ", ".join(removed))
    data_dir = prepare_data_dir(settings.data_dir)
    stops: list = []
    try:
        trust = trust_virtual_ca(data_dir)
        # its payments on file: after a restart the reset can still refund what was paid before
        proc, paysim_url, phone_url = start_simulator_with_phones(
            data_dir, settings.paysim_port, settings.phone_host, settings.phone_port,
            state=data_dir / PAYSIM_STATE_FILE)
        stops.append(lambda: _stop_process(proc))
        paysim_url = loopback_url(paysim_url)
        db_url = f"sqlite:///{data_dir / 'server.sqlite'}"
        _, kiosk_token, staff_token = ensure_demo_tenant(db_url, PRACTICE_CITY_DIR, data_dir)
        server_env = {
            "MADOGUCHI_PAY_PROVIDER_URL": paysim_url,
            "MADOGUCHI_PAY_CREDENTIALS_FILE": str(data_dir / "paysim-credentials.json"),
            "MADOGUCHI_RECEIPT_KEY_FILE": str(data_dir / "receipt.key"),
            "MADOGUCHI_JPKI_TRUST": str(trust),
            "MADOGUCHI_PAY_POLL_S": "0.5",
        }
        if settings.clock_start is not None:
            server_env["MADOGUCHI_CLOCK_START"] = settings.clock_start.isoformat()
        server = ServerProcess(db_url, log_path=data_dir / "server.log", port=settings.server_port,
                               env=server_env)
        server.start()
        stops.append(server.close)
        endpoints = PracticeEndpoints(server.url, paysim_url, data_dir, phone_url)
        config = kiosk_config(settings, endpoints, kiosk_token, trust)
        check_practice(config, endpoints, provider_url=server_env["MADOGUCHI_PAY_PROVIDER_URL"])
        tenant = httpx.get(server.url + "/v1/whoami", timeout=10, headers={
            "Authorization": f"Bearer {kiosk_token.read_text().strip()}"}).json().get("tenant")
        if tenant != PRACTICE_CITY_CODE:  # the kiosk's token must be of the practice city
            raise PracticeConfigError(f"the practice server's kiosk tenant is {tenant!r}, not the practice city")
        try:
            httpx.post(paysim_url + "/_sim/webhook-url",
                       json={"webhook_url": server.url + WEBHOOK_PATH}, timeout=5).raise_for_status()
        except httpx.HTTPError as exc:  # polling still settles payments, only slower
            log.warning("could not point the simulator's webhooks at the practice server: %s", exc)
        return PracticeStack(settings, endpoints, config, staff_token.read_text().strip(), server_env,
                             stops)
    except BaseException:
        for stop in reversed(stops):
            stop()
        raise


def receipt_printer_setting(data_dir: Path) -> str:
    """Practice receipts go to a file in the practice data dir, never a shop's printer."""
    return f"file:{Path(data_dir) / 'practice-receipts.escpos'}"

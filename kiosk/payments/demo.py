"""The payment simulator as a demo companion (registered in ``kiosk.demo.COMPANIONS``).

``python -m kiosk demo`` then runs, beside the kiosk and the central server, the
simulator ``python -m sync.paysim`` on http://127.0.0.1:8765 (any free port if taken).
Its merchant credentials are generated into the demo's data dir, and the central server
is pointed at it through the environment it inherits (the kiosk never sees them). A
newcomer pays from a second browser tab: open the simulator's page, which lists the
payments waiting, tap one, then Pay.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

DEMO_PAYSIM_PORT = 8765
WEBHOOK_PATH = "/v1/payments/webhooks/provider"
REPO = Path(__file__).resolve().parents[2]


def start_simulator(data_dir: Path, port: int) -> tuple[subprocess.Popen, str]:
    """``python -m sync.paysim`` on ``port``; returns the process and its URL."""
    proc, url, _ = start_simulator_with_phones(data_dir, port)
    return proc, url


def start_simulator_with_phones(data_dir: Path, port: int, phone_host: str | None = None,
                                phone_port: int = 0, state: Path | None = None
                                ) -> tuple[subprocess.Popen, str, str | None]:
    """The simulator, and with ``phone_host`` its customer page on that LAN address too
    (``sync/paysim/lan.py``): the process, its URL, the phones' URL (None without). With
    ``state`` its payments are kept in that file across restarts (``--state``)."""
    phone_args = ["--phone-host", phone_host, "--phone-port", str(phone_port)] if phone_host else []
    if state is not None:
        phone_args += ["--state", str(state)]
    log_file = open(data_dir / "paysim.log", "ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.paysim", "--port", str(port),
         "--credentials", str(data_dir / "paysim-credentials.json"), *phone_args],
        cwd=REPO, stdout=subprocess.PIPE, stderr=log_file, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    log_file.close()
    assert proc.stdout is not None
    deadline = time.monotonic() + 20
    phones = None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "customer page for phones on" in line:
            phones = line.rsplit(" ", 1)[1].strip()
        if "listening on" in line:
            url = line.rsplit(" ", 1)[1].strip()
            proc.stdout.close()
            return proc, url, phones
    proc.kill()
    proc.wait()
    raise RuntimeError(f"payment simulator did not start (see {data_dir / 'paysim.log'})")


def paysim_companion(config):
    """Start the simulator and tell the central server (started next) how to reach it."""
    from kiosk.demo import Companion

    if config.server_url:  # a real server of the city's: its provider is its own business
        return config, None
    data_dir = config.data_dir
    try:
        proc, url = start_simulator(data_dir, DEMO_PAYSIM_PORT)
    except RuntimeError:
        proc, url = start_simulator(data_dir, 0)  # the demo port is taken
    os.environ.update({
        "MADOGUCHI_PAY_PROVIDER_URL": url,
        "MADOGUCHI_PAY_CREDENTIALS_FILE": str(data_dir / "paysim-credentials.json"),
    })

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()

    log.info("payment simulator on %s: open it in a second tab to pay", url)
    return config, Companion("payment simulator (open in a second tab to pay)", url, stop)


def paysim_webhooks(config):
    """Once the central server runs, send the simulator's webhooks to it."""
    url = os.environ.get("MADOGUCHI_PAY_PROVIDER_URL")
    if url and config.server_url:
        try:
            httpx.post(url + "/_sim/webhook-url", json={"webhook_url": config.server_url + WEBHOOK_PATH},
                       timeout=5).raise_for_status()
        except httpx.HTTPError as exc:  # polling still settles payments, only slower
            log.warning("could not point the simulator's webhooks at the server: %s", exc)
    return config, None

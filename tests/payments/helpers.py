"""Real parts for payment tests: the simulator subprocess and a webhook receiver over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

REPO = Path(__file__).resolve().parents[2]
CITY_TZ = ZoneInfo("Asia/Tokyo")


def city_now() -> datetime:
    return datetime.now(CITY_TZ).replace(tzinfo=None)


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, step: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(step)


class SimProcess:
    """``python -m sync.paysim`` on a free port, with its control API at hand."""

    def __init__(self, tmp: Path, webhook_url: str | None, *, args: tuple[str, ...] = (),
                 **settings: Any) -> None:
        self.api_key = "test-key"
        self.api_secret = "test-secret-" + os.urandom(8).hex()
        self.webhook_secret = "test-webhook-" + os.urandom(8).hex()
        config = {"api_key": self.api_key, "api_secret": self.api_secret,
                  "webhook_secret": self.webhook_secret, "webhook_url": webhook_url,
                  "webhook_retry_base_seconds": 0.1, **settings}
        path = tmp / "paysim.json"
        path.write_text(json.dumps(config))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAYSIM_")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sync.paysim", "--port", "0", "--config", str(path), *args],
            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.url = ""
        deadline = time.monotonic() + 20
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("paysim exited: " + (self.proc.stderr.read() if self.proc.stderr else ""))
            if "listening on" in line:
                self.url = line.rsplit(" ", 1)[1].strip()
                break
        self.http = httpx.Client(base_url=self.url, timeout=10)
        wait_until(lambda: self._healthy(), timeout=20)

    def _healthy(self) -> bool:
        try:
            return self.http.get("/_sim/health").status_code == 200
        except httpx.HTTPError:
            return False

    def set_faults(self, **faults: Any) -> None:
        r = self.http.post("/_sim/faults", json=faults)
        assert r.status_code == 200, r.text

    def approve(self, code_id: str) -> httpx.Response:
        return self.http.post(f"/pay/{code_id}/approve")

    def decline(self, code_id: str) -> httpx.Response:
        return self.http.post(f"/pay/{code_id}/decline")

    def expire(self, payment_id: str) -> dict[str, Any]:
        return self.http.post(f"/_sim/payments/{payment_id}/expire").json()

    def payments(self) -> dict[str, dict[str, Any]]:
        return {p["merchantPaymentId"]: p for p in self.http.get("/_sim/payments").json()["payments"]}

    def payment(self, payment_id: str) -> dict[str, Any]:
        return self.payments()[payment_id]

    def webhooks_idle(self) -> bool:
        return bool(self.http.get("/_sim/webhooks").json()["idle"])

    def webhook_log(self) -> list[dict[str, Any]]:
        return self.http.get("/_sim/webhooks").json()["deliveries"]

    def kill(self) -> str:
        """SIGKILL, as a crash or a pulled plug would stop it; returns what it logged."""
        self.http.close()
        self.proc.kill()
        self.proc.wait()
        return self.proc.stderr.read() if self.proc.stderr else ""

    def stop(self) -> None:
        self.http.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class WebhookReceiver:
    """A real HTTP endpoint (uvicorn in a thread) handing webhooks to ``handler``."""

    def __init__(self) -> None:
        self.handler: Callable[[bytes, dict[str, str]], int] | None = None
        self.received: list[tuple[bytes, dict[str, str], int]] = []
        self.fail_next = 0  # answer 500 to this many deliveries (receiver outage)
        self._lock = threading.Condition()
        self._calls = 0  # handler calls running now (detach waits for them)
        app = FastAPI()

        @app.post("/webhooks/paysim")
        async def receive(request: Request) -> JSONResponse:
            body = await request.body()
            headers = dict(request.headers)
            with self._lock:
                failing = self.fail_next > 0
                if failing:
                    self.fail_next -= 1
                # read once: a test's teardown may detach it at any moment
                handler = None if failing else self.handler
                if handler is not None:
                    self._calls += 1
            if failing:
                status = 500
            elif handler is None:
                status = 503
            else:
                try:
                    status = await _in_thread(handler, body, headers)
                finally:
                    with self._lock:
                        self._calls -= 1
                        self._lock.notify_all()
            self.received.append((body, headers, status))
            return JSONResponse({}, status_code=status)

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/webhooks/paysim"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started, timeout=20)

    def detach(self, timeout: float = 10.0) -> None:
        """Hand no more webhooks to the handler, and wait until a call still running has
        returned: after this the handler's database may be closed. (Without the wait, a
        late webhook applied to a closed database crashed in the receiver at teardown.)"""
        with self._lock:
            self.handler = None
            if not self._lock.wait_for(lambda: self._calls == 0, timeout):
                raise AssertionError(f"a webhook handler call did not return within {timeout} s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def _in_thread(fn: Callable[..., int], *args: Any) -> int:
    import anyio.to_thread
    return await anyio.to_thread.run_sync(fn, *args)

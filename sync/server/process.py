"""Run the central server as a real subprocess on a loopback socket (tests, benchmarks).

The parent binds the listening socket (port 0: a free port) and hands it to each server
process it starts, so the server can be SIGKILLed and restarted on the same port while
kiosks keep their URL. ``close()`` releases the port: connections are refused after.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    def __init__(self, db_url: str, *, log_path: Path | None = None, port: int = 0,
                 env: dict[str, str] | None = None, workers: int = 1) -> None:
        self.db_url = db_url
        self._env = dict(env or {})
        self.workers = workers  # processes sharing the listening socket (the kernel spreads accepts)
        self.extra: list[subprocess.Popen[bytes]] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(512)
        self._sock.set_inheritable(True)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> ServerProcess:
        log = open(self._log_path, "ab") if self._log_path else subprocess.DEVNULL
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "sync.server", "--db", self.db_url, "serve", "--fd", str(self._sock.fileno())],
                cwd=ROOT, pass_fds=(self._sock.fileno(),), stdout=log, stderr=log,
                env={**os.environ, **self._env, "PYTHONUNBUFFERED": "1"},
            )
            for _ in range(self.workers)
        ]
        self.proc, self.extra = procs[0], procs[1:]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/v1/time", timeout=1.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError("server did not start")

    def _procs(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in [self.proc, *self.extra] if p is not None and p.poll() is None]

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as a crash or power loss."""
        for p in self._procs():
            p.send_signal(signal.SIGKILL)
            p.wait()

    def stop(self) -> None:
        for p in self._procs():
            p.terminate()
        for p in self._procs():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()

    def close(self) -> None:
        self.stop()
        self._sock.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Run the central server as a real subprocess on a loopback socket (tests, benchmarks).

The parent binds the listening sockets (port 0: a free port) and hands them to the server
processes it starts, so the server can be SIGKILLed and restarted on the same port while
kiosks keep their URL. ``close()`` releases the port: connections are refused after.

With several processes, each gets a socket of its own on the same port (SO_REUSEPORT,
bound as ``serve --workers`` binds them: ``supervisor.bind_reuseport_sockets``) and the
kernel spreads new connections evenly over them. Sharing one socket instead,
whichever process woke first accepted a whole burst of connections (a rush of kiosks
connecting at once) and the others sat idle.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .supervisor import bind_reuseport_sockets

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    def __init__(self, db_url: str, *, log_path: Path | None = None, port: int = 0,
                 env: dict[str, str] | None = None, workers: int = 1) -> None:
        self.db_url = db_url
        self._env = dict(env or {})
        self.workers = workers  # processes, each on its own socket of the port (the kernel spreads connections)
        self.extra: list[subprocess.Popen[bytes]] = []
        self._socks = bind_reuseport_sockets("127.0.0.1", port, workers)
        self.port = self._socks[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> ServerProcess:
        log = open(self._log_path, "ab") if self._log_path else subprocess.DEVNULL
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "sync.server", "--db", self.db_url, "serve", "--fd", str(sock.fileno())],
                cwd=ROOT, pass_fds=(sock.fileno(),), stdout=log, stderr=log,
                env={**os.environ, **self._env, "PYTHONUNBUFFERED": "1"},
            )
            for sock in self._socks
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
        for sock in self._socks:
            sock.close()

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

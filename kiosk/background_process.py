"""A child process run in the background until it answers HTTP: start it with its output
in a log file, wait until a URL answers 200 (failing early, with the log's tail, if the
child exits), stop it politely and then firmly. Used by ``kiosk.practice.process``
(practice mode for the guides tool and browser tests) and ``tests/browser/server.py``.

    proc = BackgroundProcess([sys.executable, "-m", "kiosk", "serve", "--port", str(port)],
                             log_path, cwd=REPO, env=env, name="kiosk")
    proc.start()
    proc.wait_until_answering(f"http://127.0.0.1:{port}/", timeout_s=45)
    proc.stop()

    >>> 1024 <= free_port() <= 65535
    True
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


def free_port() -> int:
    """A port free on 127.0.0.1 now (another process may take it before the child binds:
    callers that care retry with a new one)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, timeout_s: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


class BackgroundProcess:
    def __init__(self, argv: Sequence[str], log_path: Path, *, cwd: Path | None = None,
                 env: Mapping[str, str] | None = None, name: str = "process") -> None:
        self.argv = list(argv)
        self.log_path = Path(log_path)
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.name = name
        self.proc: subprocess.Popen | None = None

    def start(self) -> "BackgroundProcess":
        with open(self.log_path, "ab") as log:  # the child keeps its own handle
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def wait_until_answering(self, url: str | Callable[[], str | None], timeout_s: float,
                             poll_s: float = 0.1) -> None:
        """Until ``url`` answers 200. ``url`` may be a function giving None while the URL
        is not known yet (read from the log). RuntimeError, with the log's tail, if the
        child exits or the time runs out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                code = None if self.proc is None else self.proc.returncode
                raise RuntimeError(f"{self.name} exited with {code}:\n{self.log_tail()}")
            target = url() if callable(url) else url
            if target and answers(target):
                return
            time.sleep(poll_s)
        raise RuntimeError(f"{self.name} did not answer in {timeout_s:.0f} s:\n{self.log_tail()}")

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after ``grace_s`` (the child's own cleanup gets its chance)."""
        if not self.running():
            return
        self.proc.terminate()
        try:
            self.proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

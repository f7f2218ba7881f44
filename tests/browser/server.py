"""A real kiosk for browser tests: ``python -m kiosk serve`` as a subprocess.

It listens on 127.0.0.1 on a free port, keeps its SQLite cache in its own directory,
runs on a fixed city clock and takes any extra ``MADOGUCHI_*`` settings.

    >>> env = kiosk_environment({"MADOGUCHI_INACTIVITY_TIMEOUT_S": "8"}, base={"PATH": "/bin"})
    >>> env["MADOGUCHI_CLOCK_START"], env["MADOGUCHI_INACTIVITY_TIMEOUT_S"], "DISPLAY" in env
    ('2026-11-25T10:00', '8', False)
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from kiosk.background_process import BackgroundProcess, free_port

REPO = Path(__file__).resolve().parents[2]

# Wednesday 25 November 2026, 10:00 city time: the flow tests' "now" too.
CLOCK_START = "2026-11-25T10:00"
DEFAULT_ENV = {
    "MADOGUCHI_CLOCK_START": CLOCK_START,
    # Long enough that a slow machine never times out mid-test; timeout tests set less.
    "MADOGUCHI_INACTIVITY_TIMEOUT_S": "600",
    "MADOGUCHI_INACTIVITY_WARNING_S": "30",
}
START_TIMEOUT_S = 45.0


__all__ = ["CLOCK_START", "REPO", "CentralServer", "KioskServer", "free_port", "kiosk_environment"]


def kiosk_environment(extra: Mapping[str, str] | None = None,
                      base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The child's environment: ours minus any outside MADOGUCHI_* and DISPLAY, plus
    the test defaults, plus ``extra``."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith("MADOGUCHI_") and k != "DISPLAY"}
    env.update(DEFAULT_ENV)
    env.update({k: str(v) for k, v in (extra or {}).items()})
    env["PYTHONUNBUFFERED"] = "1"
    return env


class CentralServer:
    """The city's central server (``python -m sync.server``) on SQLite in its own dir,
    with the sample city as tenant and one kiosk enrolled, on the kiosks' clock. Give a
    kiosk ``kiosk_env`` to make it online: its bookings are then confirmed by the
    server while the person waits (offline kiosks book provisionally)."""

    def __init__(self, data_dir: Path, clock_start: str = CLOCK_START) -> None:
        self.data_dir = Path(data_dir)
        self.clock_start = clock_start
        self.process = None
        self.token_file: Path | None = None

    def start(self) -> "CentralServer":
        from kiosk.demo import ensure_demo_tenant
        from kiosk.opendata import sample_city_dir
        from sync.server.process import ServerProcess

        self.data_dir.mkdir(parents=True, exist_ok=True)
        db_url = f"sqlite:///{self.data_dir / 'server.sqlite'}"
        _, self.token_file, _ = ensure_demo_tenant(db_url, sample_city_dir(), self.data_dir)
        self.process = ServerProcess(db_url, log_path=self.data_dir / "server.log",
                                     env={"MADOGUCHI_CLOCK_START": self.clock_start})
        self.process.start()
        return self

    @property
    def url(self) -> str:
        return self.process.url

    @property
    def kiosk_env(self) -> dict[str, str]:
        return {"MADOGUCHI_SERVER_URL": self.url, "MADOGUCHI_KIOSK_TOKEN_FILE": str(self.token_file),
                "MADOGUCHI_CLOCK_START": self.clock_start}

    def stop(self) -> None:
        if self.process is not None:
            self.process.close()


class KioskServer:
    """One kiosk process. ``start()`` returns once it answers HTTP; ``stop()`` ends it."""

    def __init__(self, data_dir: Path, env: Mapping[str, str] | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.extra_env = dict(env or {})
        self.port = 0
        self.background: BackgroundProcess | None = None
        self.log_path = self.data_dir / "kiosk.log"

    @property
    def proc(self):
        return self.background.proc if self.background is not None else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> "KioskServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_port()
            self.background = BackgroundProcess(
                [sys.executable, "-m", "kiosk", "serve", "--port", str(self.port),
                 "--data-dir", str(self.data_dir)],
                self.log_path, cwd=REPO, env=kiosk_environment(self.extra_env), name="kiosk").start()
            try:
                self.background.wait_until_answering(self.url, START_TIMEOUT_S)
                return self
            except RuntimeError as exc:
                last_error = str(exc)
                self.stop()
        raise RuntimeError(last_error)

    def log_tail(self, lines: int = 60) -> str:
        return self.background.log_tail(lines) if self.background is not None else ""

    def stop(self) -> None:
        if self.background is not None:
            self.background.stop()

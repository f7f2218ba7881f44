"""``python -m kiosk practice`` as a subprocess (browser tests, the guides tool): a free
port on 127.0.0.1, its own data dir, the URLs it prints.

    with PracticeProcess(tmp_dir, seats=5) as practice:
        practice.url, practice.seat_url(3), practice.volunteer_url, practice.paysim_url
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from kiosk.background_process import BackgroundProcess, free_port

REPO = Path(__file__).resolve().parents[2]
CLOCK_START = "2026-11-25T10:00"  # the browser tests' city clock

__all__ = ["CLOCK_START", "PracticeProcess", "free_port"]


class PracticeProcess:
    def __init__(self, data_dir: Path, *, seats: int = 5, env: Mapping[str, str] | None = None,
                 clock_start: str | None = CLOCK_START, start_timeout_s: float = 60.0) -> None:
        self.data_dir = Path(data_dir)
        self.seats = seats
        self.extra_env = dict(env or {})
        self.clock_start = clock_start
        self.start_timeout_s = start_timeout_s
        self.port = 0
        self.background: BackgroundProcess | None = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-practice.log"
        self.paysim_url = ""
        self.server_url = ""
        self.volunteer_code = ""

    @property
    def proc(self):
        return self.background.proc if self.background is not None else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def seat_url(self, n: int) -> str:
        return f"{self.url}/seat/{n}"

    @property
    def volunteer_url(self) -> str:
        return f"{self.url}/volunteer"

    def __enter__(self) -> "PracticeProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> "PracticeProcess":
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        if self.clock_start:
            env["MADOGUCHI_CLOCK_START"] = self.clock_start
        env.update(self.extra_env)
        env["PYTHONUNBUFFERED"] = "1"
        self.background = BackgroundProcess(
            [sys.executable, "-m", "kiosk", "practice", "--no-browser", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--seats", str(self.seats)],
            self.log_path, cwd=REPO, env=env, name="practice kiosk").start()

        def ready_url() -> str | None:  # answering only counts once the banner is printed
            self._read_banner()
            return self.url + "/" if self.paysim_url else None

        try:
            self.background.wait_until_answering(ready_url, self.start_timeout_s, poll_s=0.2)
        except RuntimeError:
            self.stop()
            raise
        return self

    def _read_banner(self) -> None:
        text = self.log_tail(400)
        found = {key: re.search(pattern, text, re.M) for key, pattern in {
            "paysim_url": r"practice payment app .*?: (http://\S+?)/?$",
            "server_url": r"practice central server: (http://\S+)$",
            "volunteer_code": r"volunteer page: .* \(code (\d+)\)",
        }.items()}
        for key, match in found.items():
            if match:
                setattr(self, key, match.group(1))

    def log_tail(self, lines: int = 80) -> str:
        return self.background.log_tail(lines) if self.background is not None else ""

    def stop(self) -> None:
        if self.background is not None:
            self.background.stop(grace_s=20)

"""``python -m sync.server``: one command starts the server on the embedded SQLite
default; the admin commands set up a city and its kiosks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_one_command_starts_on_embedded_sqlite_and_serves_an_enrolled_kiosk(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MADOGUCHI_DB_URL"}

    def admin(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "sync.server", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "sync.server", "--port", str(port)], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/v1/time", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        assert (tmp_path / "var" / "madoguchi-server.sqlite").is_file()  # the embedded default
        admin("add-tenant", "--tenant", "midori")
        token = admin("enrol", "--tenant", "midori", "--kiosk", "library-1")
        who = httpx.get(f"http://127.0.0.1:{port}/v1/whoami", headers={"Authorization": f"Bearer {token}"})
        assert who.json() == {"tenant": "midori", "role": "kiosk", "name": "library-1"}
        assert "migrated" in admin("migrate")
    finally:
        server.terminate()
        server.wait(10)

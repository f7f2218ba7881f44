"""`python -m kiosk demo` (what `make run` starts): prints the URL, serves the kiosk, and
with a display opens Chromium in kiosk mode once the kiosk answers."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_prints_the_url_and_opens_a_kiosk_browser_on_a_display(tmp_path):
    # A stand-in browser that records how it was started (there is no X server here).
    record = tmp_path / "browser-args.txt"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\nsleep 30\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MADOGUCHI_")}
    env.update(DISPLAY=":99", MADOGUCHI_BROWSER=str(fake), MADOGUCHI_SERVER_PORT="0",
               PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "demo", "--port", str(port), "--data-dir", str(tmp_path / "var")],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            match = re.search(r"Madoguchi kiosk: (http://127\.0\.0\.1:\d+/)", line)
            url = match.group(1) if match else None
        assert url == f"http://127.0.0.1:{port}/"
        while time.monotonic() < deadline and not record.exists():
            time.sleep(0.2)
        args = record.read_text().split("\n")
        assert "--kiosk" in args and f"--app={url}" in args
        assert any(a.startswith("--user-data-dir=") for a in args)
        assert ("--no-sandbox" in args) == (os.geteuid() == 0)
        with urllib.request.urlopen(url, timeout=5) as response:  # up before the browser
            assert response.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

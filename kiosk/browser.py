"""Show the kiosk full screen in Chromium (``python -m kiosk demo`` with a display).

Chromium starts once the kiosk answers (a kiosk-mode window has no reload button), with
a throwaway profile so nothing of one run survives into the next, and ``--no-sandbox``
only when running as root (Chromium refuses to start as root otherwise).

    >>> cmd = kiosk_browser_command("http://127.0.0.1:8550/", "/usr/bin/chromium", "/tmp/p", root=False)
    >>> cmd[:4]
    ['/usr/bin/chromium', '--kiosk', '--app=http://127.0.0.1:8550/', '--user-data-dir=/tmp/p']
    >>> "--no-sandbox" in cmd, "--no-sandbox" in kiosk_browser_command("u", "c", "p", root=True)
    (False, True)
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

log = logging.getLogger(__name__)

CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
FLAGS = ("--no-first-run", "--disable-translate", "--disable-features=Translate",
         "--disable-pinch", "--overscroll-history-navigation=0", "--noerrdialogs",
         "--disable-session-crashed-bubble", "--disable-background-networking",
         "--disable-component-update", "--disable-sync")


def find_browser() -> str | None:
    """``MADOGUCHI_BROWSER`` if set, else the first Chromium found."""
    override = os.environ.get("MADOGUCHI_BROWSER")
    for candidate in ((override,) if override else CANDIDATES):
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.exists(path):
            return path
    return None


def kiosk_browser_command(url: str, binary: str, profile_dir: str, *, root: bool) -> list[str]:
    cmd = [binary, "--kiosk", f"--app={url}", f"--user-data-dir={profile_dir}", *FLAGS]
    if root:
        cmd.append("--no-sandbox")
    return cmd


class KioskBrowser:
    """Starts Chromium on ``url`` in the background once the URL answers."""

    def __init__(self, url: str, wait_s: float = 60.0) -> None:
        self.url = url
        self.wait_s = wait_s
        self.proc: subprocess.Popen | None = None
        self._profile = tempfile.mkdtemp(prefix="madoguchi-chromium-")
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-browser", daemon=True)

    def start(self) -> "KioskBrowser":
        self._thread.start()
        return self

    def _run(self) -> None:
        binary = find_browser()
        if binary is None:
            print("Chromium not found: open the URL above in a browser.", flush=True)
            return
        deadline = time.monotonic() + self.wait_s
        while not self._stopped.is_set() and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                self._stopped.wait(0.2)
        if self._stopped.is_set():
            return
        cmd = kiosk_browser_command(self.url, binary, self._profile, root=os.geteuid() == 0)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        log.info("Chromium in kiosk mode on %s", self.url)

    def stop(self) -> None:
        self._stopped.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self._profile, ignore_errors=True)

"""The virtual card CLI as a subprocess, driven through its HTTP control port (tests,
rehearsals), and the pcscd it talks through.

    daemon = start_pcscd(workdir)                 # private if the machine allows
    card = start_virtual_card(daemon)             # in a free reader of that daemon
    card.insert(); card.remove(); card.set_tries("auth", 1); card.apdus()
    card.close(); daemon.stop()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from kiosk.card.virtual.daemon import PcscDaemon, missing_packages, private_possible

REPO = Path(__file__).resolve().parents[3]


def start_pcscd(workdir: Path, log_path: Path | None = None) -> PcscDaemon:
    """A started pcscd: a private one (root + mount namespaces) or the system's.
    Raises RuntimeError when the reader stack is not installed or will not start."""
    missing = missing_packages()
    if missing:
        raise RuntimeError(missing)
    ok, _why = private_possible()
    daemon = PcscDaemon.private_daemon(workdir, log_path) if ok else PcscDaemon.system(log_path)
    return daemon.start()


class VirtualCardProcess:
    def __init__(self, proc: subprocess.Popen, control: str, port: int, reader: str):
        self.proc, self.control, self.port, self.reader = proc, control, port, reader
        self.http = httpx.Client(base_url=control, timeout=10)

    def post(self, path: str, **params) -> dict:
        r = self.http.post(path, params=params)
        r.raise_for_status()
        return r.json()

    def state(self) -> dict:
        return self.http.get("/state").json()

    def apdus(self) -> list[str]:
        """Every command the card received, hex (VERIFY data masked)."""
        return self.http.get("/apdus").json()

    def insert(self) -> None:
        self.post("/insert")

    def remove(self) -> None:
        self.post("/remove")

    def set_tries(self, pin: str, n: int) -> None:
        self.post("/tries", pin=pin, n=n)

    def close(self) -> None:
        self.http.close()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_virtual_card(daemon: PcscDaemon, extra: list[str] | None = None, wait_seconds: float = 90,
                       log_path: Path | None = None) -> VirtualCardProcess:
    """The card in whichever reader of ``daemon`` is free (on a shared daemon another
    run may hold both for a while: wait for one)."""
    # Second reader first: on the shared system daemon, the demo takes the first.
    ports = ",".join(str(p) for p in reversed(daemon.ports))
    deadline = time.monotonic() + wait_seconds
    log_path = log_path or Path(os.environ.get("MADOGUCHI_TEST_ARTIFACTS", "/tmp")) / "virtual-card.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        with open(log_path, "ab") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "kiosk.card.virtual", "--port", ports, "--control-port", "0",
                 "--until-stdin-closes", *(extra or [])],
                # stdin is the lifeline: if this process dies, the card goes too
                cwd=REPO, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.PIPE, text=True,
            )
        line = proc.stdout.readline()
        try:
            info = json.loads(line)
        except json.JSONDecodeError:
            info = {"error": f"{line!r} (see {log_path})"}
        if "control" in info:
            return VirtualCardProcess(proc, info["control"], info["port"], daemon.readers[info["port"]])
        proc.kill()
        proc.wait()
        if time.monotonic() > deadline:
            raise RuntimeError(f"no free vpcd reader for the virtual card after {wait_seconds}s: {info.get('error')}")
        time.sleep(2)

"""pcscd for tests and rehearsals: a private daemon when the machine allows, else the
system's one (shared with everyone on the machine).

pcsc-lite 1.9 hard-codes its socket (/run/pcscd/pcscd.comm), and a second daemon would
fight the first over it. As root, a private daemon runs in its own mount namespace with
a private directory bound over /run/pcscd, its own reader configuration (the vpcd driver
on two free TCP ports) and its own socket; clients reach it through
``PCSCLITE_CSOCK_NAME``. A private daemon can be stopped and restarted ("the reader is
gone") without disturbing anyone else's cards or tests.

    daemon = PcscDaemon.private(workdir)      # or PcscDaemon.system()
    daemon.start()
    os.environ.update(daemon.client_env())    # BEFORE the first pyscard context
    daemon.readers                            # {port: reader name}
    daemon.stop()

Note: pcsc-lite reads ``PCSCLITE_CSOCK_NAME`` once per process, at the first context.
A daemon started here dies with the process that started it (a pipe is its lifeline),
so a test run killed half-way leaves no pcscd behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_SOCKET = "/run/pcscd/pcscd.comm"
SYSTEM_PORTS = (35963, 35964)
SYSTEM_READER_PREFIX = "Virtual PCD"
PRIVATE_READER_PREFIX = "Madoguchi Test PCD"


def socket_answers(path: str) -> bool:
    """A live daemon accepts connections on its socket; a stale socket file does not."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(1)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


def missing_packages() -> str | None:
    """Why the reader stack cannot run here at all, or None."""
    if shutil.which("pcscd") is None:
        return "pcscd is not installed (scripts/setup.sh installs pcscd and vsmartcard-vpcd)"
    if not VPCD_DRIVER.exists():
        return f"the vpcd driver is missing ({VPCD_DRIVER}): install vsmartcard-vpcd"
    return None


def private_possible() -> tuple[bool, str]:
    """(whether a private daemon can run here, why not). Assumes the packages exist."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False, "a private pcscd needs root and unshare (mount namespaces)"
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return False, f"no mount namespaces here: {probe.stderr.strip()}"
    return True, ""


def free_port_pair(start: int = 41000, stop: int = 60000) -> int:
    """A port p with p and p+1 both free on every interface (vpcd listens on 0.0.0.0)."""
    for port in range(start + (os.getpid() % 500) * 2, stop, 2):
        sockets = []
        try:
            for p in (port, port + 1):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sockets.append(s)
                s.bind(("0.0.0.0", p))
            return port
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no two free consecutive TCP ports for vpcd")


@dataclass
class PcscDaemon:
    socket_path: str
    ports: tuple[int, int]
    reader_prefix: str
    private: bool
    workdir: Path | None = None
    log_path: Path | None = None
    proc: subprocess.Popen | None = field(default=None, repr=False)

    # --- construction -----------------------------------------------------------------
    @classmethod
    def private_daemon(cls, workdir: Path, log_path: Path | None = None) -> "PcscDaemon":
        workdir = Path(workdir)
        (workdir / "run").mkdir(parents=True, exist_ok=True)
        (workdir / "conf").mkdir(parents=True, exist_ok=True)
        port = free_port_pair()
        (workdir / "conf" / "vpcd").write_text(
            f'FRIENDLYNAME "{PRIVATE_READER_PREFIX}"\n'
            f"DEVICENAME   /dev/null:0x{port:04X}\n"
            f"LIBPATH      {VPCD_DRIVER}\n"
            f"CHANNELID    0x{port:04X}\n"
        )
        return cls(str(workdir / "run" / "pcscd.comm"), (port, port + 1), PRIVATE_READER_PREFIX,
                   True, workdir, log_path or workdir / "pcscd.log")

    @classmethod
    def system(cls, log_path: Path | None = None) -> "PcscDaemon":
        return cls(SYSTEM_SOCKET, SYSTEM_PORTS, SYSTEM_READER_PREFIX, False,
                   log_path=log_path or Path("/tmp/madoguchi-pcscd.log"))

    # --- what clients need ------------------------------------------------------------
    @property
    def readers(self) -> dict[int, str]:
        return {port: f"{self.reader_prefix} 00 {i:02d}" for i, port in enumerate(self.ports)}

    def client_env(self) -> dict[str, str]:
        return {"PCSCLITE_CSOCK_NAME": self.socket_path} if self.private else {}

    @property
    def running(self) -> bool:
        return socket_answers(self.socket_path)

    # --- lifecycle --------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> "PcscDaemon":
        """Start the daemon (a system one that already answers is reused)."""
        if self.running:
            if self.private:
                raise RuntimeError(f"a daemon already answers on {self.socket_path}")
            return self
        if not self.private:
            _wait_for_old_daemon()
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        # pcscd runs under a small shell that holds a lifeline: our pipe on its stdin.
        # When the pipe closes (stop(), or this process dying however it dies), the shell
        # stops pcscd, so a killed test run never leaves a daemon behind.
        lifeline = "pcscd --foreground --info {conf} </dev/null & p=$!; cat >/dev/null; kill $p; wait $p"
        if self.private:
            assert self.workdir is not None
            run_dir = self.workdir / "run"
            for stale in ("pcscd.comm", "pcscd.pid"):
                (run_dir / stale).unlink(missing_ok=True)
            Path("/run/pcscd").mkdir(parents=True, exist_ok=True)
            script = (f"mount --bind '{run_dir}' /run/pcscd || exit 1; "
                      + lifeline.format(conf=f"-c '{self.workdir / 'conf'}'"))
            # unshare execs the shell, so pcscd (its child) lives in the new namespace
            command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
        else:
            command = ["sh", "-c", lifeline.format(conf="")]
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.running:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pcscd did not start (exit {self.proc.poll()}); see {self.log_path}")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the daemon THIS object started (never someone else's)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # the lifeline: the shell stops pcscd and exits
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: the shell and pcscd
            proc.wait()
        deadline = time.monotonic() + timeout
        while self.running and time.monotonic() < deadline:
            time.sleep(0.05)

    @property
    def owned(self) -> bool:
        return self.proc is not None


def _wait_for_old_daemon() -> None:
    # A system daemon killed hard may still be going away; a new one would refuse to start.
    for _ in range(50):
        if subprocess.run(["pgrep", "-x", "pcscd"], capture_output=True).returncode != 0:
            return
        if socket_answers(SYSTEM_SOCKET):
            return
        time.sleep(0.1)

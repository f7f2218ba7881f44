"""Several server processes on one port: ``python -m sync.server serve --workers N``.

Why not uvicorn's own ``workers=N``: its supervisor binds ONE listening socket that all
workers share, and under a burst of connections (the opening-hour rush of kiosks
connecting at once) the process that wakes first accepts nearly all of them while the
others sit idle. Here the parent binds one socket per worker on the same port with
SO_REUSEPORT, and the kernel spreads new connections evenly over the sockets (and so
over the processes). Each worker is the ordinary ``serve --fd K`` path on its socket.

The parent keeps every listening socket open for as long as it runs: a worker that dies
is restarted on the same socket, and connections arriving meanwhile wait in that
socket's backlog instead of being refused.

Workers tell the parent they are serving through a pipe (``--ready-fd``), so the parent
knows the difference between "cannot start at all" (a worker exits before it ever
served: stop everything, exit 1) and "crashed later" (restart it, with a backoff).
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

import uvicorn

from .db import DB_URL_ENV

# A restart waits BACKOFF_FIRST_S, doubling per quick death up to BACKOFF_MAX_S, so a
# worker that crashes on every start costs a line of log now and then, not a spinning
# core. A worker that lived STABLE_AFTER_S before dying starts the backoff afresh.
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
STABLE_AFTER_S = 30.0
# Starting means importing the app, opening the database and building every router; on
# a loaded machine that takes seconds, so this only catches a worker that hangs.
STARTUP_TIMEOUT_S = 60.0
# After the graceful shutdown the workers get (their own timeout), time to close the
# database and exit before they are killed.
STOP_MARGIN_S = 7.0
# uvicorn's own default backlog; one per socket, so N sockets queue N times as many.
BACKLOG = 2048
READY_MESSAGE = b"ready\n"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def bind_reuseport_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` listening sockets on ``host``:``port``, all in one SO_REUSEPORT group.

    SO_REUSEPORT also lets a second copy of this server (same user) join the group of a
    running one and silently take half its connections. A plain bind first, without
    SO_REUSEPORT, fails on a port anything is listening on, as a single-socket server's
    would: "address already in use" instead of two servers answering on one port.
    """
    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                  flags=socket.AI_PASSIVE)[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT leftovers are fine
        probe.bind(address)
        address = probe.getsockname()  # port 0: the free port the kernel chose
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            sock.listen(BACKLOG)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class ReadyNotifyingServer(uvicorn.Server):
    """A uvicorn server that writes READY_MESSAGE to ``ready_fd`` once it is serving.

    Startup failures (the app's lifespan, the socket) exit before writing; the pipe
    then only sees end-of-file when the process is gone."""

    def __init__(self, config: uvicorn.Config, ready_fd: int) -> None:
        super().__init__(config)
        self._ready_fd: int | None = ready_fd

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._ready_fd is not None:
            os.write(self._ready_fd, READY_MESSAGE)
            os.close(self._ready_fd)
            self._ready_fd = None


def stop_with_supervisor() -> None:
    """In a worker: have the kernel send SIGTERM (a graceful stop) when the supervisor
    dies, even by SIGKILL, so no orphaned worker keeps serving on a port nobody manages.
    Linux only (prctl); elsewhere a no-op.

    The parent is read before and after asking: had the supervisor died in between, the
    worker has already been handed to another parent and stops itself."""
    import ctypes

    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):  # no libc prctl: not Linux
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def restart_delay(quick_exits: int) -> float:
    """Seconds before restarting a worker that died ``quick_exits`` times in a row before.

    >>> [restart_delay(n) for n in range(8)]
    [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    """
    return min(BACKOFF_FIRST_S * 2 ** quick_exits, BACKOFF_MAX_S)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class Worker:
    """One worker slot: its listening socket and whichever process serves it now."""

    number: int
    sock: socket.socket
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready: bool = False
    ready_pipe: int | None = None  # read end; the worker holds the write end until ready
    quick_exits: int = 0  # deaths in a row, each within STABLE_AFTER_S of its start
    restart_at: float | None = None


WorkerArgv = Callable[[int, int], Sequence[str]]  # (socket fd, ready fd) -> command line


class Supervisor:
    """Runs one worker process per socket until SIGTERM or SIGINT; see the module doc.

    Must run in the main thread (it installs signal handlers, restored on return)."""

    def __init__(self, sockets: Sequence[socket.socket], worker_argv: WorkerArgv, *,
                 env: dict[str, str] | None = None, grace_s: float = 3.0) -> None:
        self.workers = [Worker(i + 1, sock) for i, sock in enumerate(sockets)]
        self._worker_argv = worker_argv
        self._env = env
        self._stop_timeout_s = grace_s + STOP_MARGIN_S
        self._stop_signal: int | None = None
        self._wakeup_read = -1

    # -- the loop ------------------------------------------------------------------------

    def run(self) -> int:
        """0 after a stop was asked for, 1 if the workers could not start."""
        # Signals only set a flag; the C-level handler also writes to this pipe, which
        # wakes the select() below at once (SIGCHLD too: a worker died, reap it now).
        self._wakeup_read, wakeup_write = os.pipe()
        os.set_blocking(self._wakeup_read, False)
        os.set_blocking(wakeup_write, False)
        previous_wakeup = signal.set_wakeup_fd(wakeup_write, warn_on_full_buffer=False)
        previous_handlers = {sig: signal.signal(sig, self._on_signal)
                             for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD)}
        try:
            for worker in self.workers:
                self._spawn(worker)
            return self._supervise()
        finally:
            self._stop_all()
            for sig, handler in previous_handlers.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(previous_wakeup)
            os.close(self._wakeup_read)
            os.close(wakeup_write)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if signum != signal.SIGCHLD and self._stop_signal is None:
            self._stop_signal = signum

    def _supervise(self) -> int:
        starting = True
        startup_deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if self._stop_signal is not None:
                _log(f"{signal.Signals(self._stop_signal).name}: stopping the workers")
                self._stop_all()
                _log("stopped")
                return 0
            now = time.monotonic()
            for worker in self.workers:
                if worker.proc is None or worker.proc.poll() is None:
                    continue
                returncode = worker.proc.returncode
                self._forget_process(worker)
                if starting:
                    _log(f"worker {worker.number} ({describe_exit(returncode)}) did not start; giving up")
                    return 1
                self._schedule_restart(worker, describe_exit(returncode), now)
            for worker in self.workers:
                if worker.restart_at is not None and worker.restart_at <= now:
                    self._restart(worker, now)
            if starting and all(w.ready for w in self.workers):
                starting = False
                pids = ", ".join(str(w.proc.pid) for w in self.workers if w.proc)
                host, port = self.workers[0].sock.getsockname()[:2]
                where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # --port 0: which one
                _log(f"{len(self.workers)} workers serving on {where} (pids {pids})")
            if starting and now >= startup_deadline:
                _log(f"workers not serving after {STARTUP_TIMEOUT_S:.0f} s; giving up")
                return 1
            deadlines = [w.restart_at for w in self.workers if w.restart_at is not None]
            if starting:
                deadlines.append(startup_deadline)
            timeout = min([1.0, *(d - now for d in deadlines)])
            self._wait(max(timeout, 0.0), announce_restarts=not starting)

    def _wait(self, timeout: float, *, announce_restarts: bool) -> None:
        """Sleep until a signal, a worker's ready message or ``timeout``."""
        pipes = {w.ready_pipe: w for w in self.workers if w.ready_pipe is not None}
        readable, _, _ = select.select([self._wakeup_read, *pipes], [], [], timeout)
        for fd in readable:
            if fd == self._wakeup_read:
                while _read_nonblocking(fd):
                    pass
                continue
            worker = pipes[fd]
            if os.read(fd, len(READY_MESSAGE)) == READY_MESSAGE:
                worker.ready = True
                if announce_restarts and worker.proc is not None:
                    _log(f"worker {worker.number} serving again (pid {worker.proc.pid})")
            # A message or end-of-file (the worker exited first): either way, done.
            os.close(fd)
            worker.ready_pipe = None

    # -- worker processes ----------------------------------------------------------------

    def _spawn(self, worker: Worker) -> None:
        ready_read, ready_write = os.pipe()
        sock_fd = worker.sock.fileno()
        try:
            # stdout and stderr are the parent's: one log stream (journald, a terminal).
            worker.proc = subprocess.Popen(list(self._worker_argv(sock_fd, ready_write)),
                                           pass_fds=(sock_fd, ready_write), env=self._env)
        except OSError:
            os.close(ready_read)
            raise
        finally:
            os.close(ready_write)  # the worker's copy is the only one: its exit means EOF
        worker.ready_pipe = ready_read
        worker.ready = False
        worker.started_at = time.monotonic()
        worker.restart_at = None

    def _restart(self, worker: Worker, now: float) -> None:
        try:
            self._spawn(worker)
        except OSError as exc:  # out of processes or descriptors: maybe not for long
            worker.started_at = now
            self._schedule_restart(worker, f"spawn failed ({exc})", now)

    def _forget_process(self, worker: Worker) -> None:
        worker.proc = None
        worker.ready = False
        if worker.ready_pipe is not None:
            os.close(worker.ready_pipe)
            worker.ready_pipe = None

    def _schedule_restart(self, worker: Worker, why: str, now: float) -> None:
        lived = now - worker.started_at
        if lived >= STABLE_AFTER_S:
            worker.quick_exits = 0
        delay = restart_delay(worker.quick_exits)
        worker.quick_exits += 1
        worker.restart_at = now + delay
        _log(f"worker {worker.number}: {why} after {lived:.1f} s; restarting in {delay:.1f} s")

    def _stop_all(self) -> None:
        """SIGTERM every worker, wait out their graceful shutdown, SIGKILL stragglers."""
        running = [w.proc for w in self.workers if w.proc is not None and w.proc.poll() is None]
        for proc in running:
            # SIGTERM whatever we were sent: after a Ctrl-C the terminal has already sent
            # the workers SIGINT, and a second SIGINT would make uvicorn skip the
            # graceful shutdown.
            proc.send_signal(signal.SIGTERM)
        for worker in self.workers:
            worker.restart_at = None
            # The workers have stopped accepting; closing our copies too makes new
            # connections be refused at once rather than wait in a backlog nobody reads.
            worker.sock.close()
        deadline = time.monotonic() + self._stop_timeout_s
        for proc in running:
            try:
                proc.wait(max(deadline - time.monotonic(), 0.0))
            except subprocess.TimeoutExpired:
                _log(f"worker pid {proc.pid} still running after {self._stop_timeout_s:.0f} s; killing it")
                proc.kill()
                proc.wait()
        for worker in self.workers:
            self._forget_process(worker)


def _log(message: str) -> None:
    print(f"madoguchi supervisor: {message}", file=sys.stderr, flush=True)


def _read_nonblocking(fd: int) -> bytes:
    try:
        return os.read(fd, 512)
    except BlockingIOError:
        return b""


def serve_workers(db_url: str, *, host: str, port: int, workers: int, grace_s: float) -> int:
    """Bind ``workers`` sockets on ``host``:``port`` and supervise one ``serve --fd``
    process on each, all on ``db_url`` (the schema must be migrated already)."""
    try:
        sockets = bind_reuseport_sockets(host, port, workers)
    except OSError as exc:  # as uvicorn's own bind failure: one line, exit 1
        _log(f"cannot listen on {host}:{port}: {exc}")
        return 1

    def worker_argv(sock_fd: int, ready_fd: int) -> list[str]:
        return [sys.executable, "-m", "sync.server", "serve", "--fd", str(sock_fd), "--ready-fd", str(ready_fd)]

    # The URL goes by environment, not argv: a password in it would show in `ps`.
    env = {**os.environ, DB_URL_ENV: db_url}
    return Supervisor(sockets, worker_argv, env=env, grace_s=grace_s).run()

"""The demo's companions: the services ``python -m kiosk demo`` runs beside the kiosk.

A newcomer's demo needs no outside service: it starts a local central server on the
embedded SQLite database (the sample city as its tenant, this kiosk enrolled), and each
feature adds its own companion (payment simulator, virtual card) to ``COMPANIONS``.

A companion is a function ``(config) -> (config, Companion | None)``: it starts what it
needs, returns the kiosk configuration updated to use it, and a handle to stop it.
Secrets it makes (tokens, keys) live in the demo's data directory, never in the repo.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kiosk.app import KioskConfig
from kiosk.payments.demo import paysim_companion, paysim_webhooks

log = logging.getLogger(__name__)

DEMO_SERVER_PORT = 8600
DEMO_KIOSK_NAME = "demo-kiosk-1"


@dataclass
class Companion:
    name: str
    url: str
    stop: Callable[[], None]


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")


def _live_token(db, path: Path) -> bool:
    """Whether the token stored at ``path`` is a live credential of this database."""
    from sync.server.tenants import hash_token

    if not path.is_file():
        return False
    with db.read() as c:
        row = c.one("SELECT revoked_at FROM credentials WHERE token_hash = ?",
                    (hash_token(path.read_text().strip()),))
    return row is not None and row["revoked_at"] is None


def ensure_demo_tenant(db_url: str, city_dir: Path, data_dir: Path) -> tuple[str, Path, Path]:
    """The sample city as a tenant with this kiosk and one staff member enrolled.

    Returns (tenant code, kiosk token file, staff token file); re-running reuses live
    tokens and re-enrols only what is missing or revoked.
    """
    from kiosk.opendata import load_city
    from sync.server.db import Database
    from sync.server.migrations import migrate
    from sync.server.tenants import AdminError, add_tenant, enrol, revoke

    tenant = load_city(city_dir).code
    db = Database(db_url)
    try:
        migrate(db)
        add_tenant(db, tenant, city_dir)
        files = {"kiosk": data_dir / "kiosk.token", "staff": data_dir / "staff.token"}
        names = {"kiosk": DEMO_KIOSK_NAME, "staff": "demo-staff"}
        for role, path in files.items():
            if _live_token(db, path):
                continue
            try:
                revoke(db, tenant, names[role], role)
            except AdminError:
                pass  # nothing live to revoke
            _write_secret(path, enrol(db, tenant, names[role], role))
    finally:
        db.close()
    return tenant, files["kiosk"], files["staff"]


def central_server(config: KioskConfig) -> tuple[KioskConfig, Companion | None]:
    """A local central server on SQLite, unless the config names a server already."""
    if config.server_url:
        return config, None
    from kiosk.opendata import sample_city_dir
    from sync.server.process import ServerProcess

    data_dir = config.data_dir
    db_url = f"sqlite:///{data_dir / 'server.sqlite'}"
    _, kiosk_token, _ = ensure_demo_tenant(db_url, config.city_dir or sample_city_dir(), data_dir)
    env = {}
    if config.clock_start is not None:  # rehearsals: server and kiosk share one clock
        env["MADOGUCHI_CLOCK_START"] = config.clock_start.isoformat()
    port = config.server_port if config.server_port is not None else DEMO_SERVER_PORT
    try:
        server = ServerProcess(db_url, log_path=data_dir / "server.log", port=port, env=env)
    except OSError:  # the port is taken (another demo, a test run): any free port will do
        server = ServerProcess(db_url, log_path=data_dir / "server.log", port=0, env=env)
    server.start()
    log.info("central server on %s (log %s)", server.url, data_dir / "server.log")
    config = config.with_values({"server_url": server.url, "kiosk_token_file": kiosk_token})
    return config, Companion("central server", server.url, server.close)


def demo_staff_pin(config: KioskConfig) -> tuple[KioskConfig, Companion | None]:
    from kiosk.assist_wiring import demo_staff_pin as pin

    return pin(config)


def _virtual_card(config: KioskConfig) -> tuple[KioskConfig, Companion | None]:
    from kiosk.card.virtual.demo import virtual_card

    return virtual_card(config)


COMPANIONS: list[Callable[[KioskConfig], tuple[KioskConfig, Companion | None]]] = [
    _virtual_card,  # before the server: the server trusts the virtual card's test CA
    paysim_companion,  # before the server: it hands the server the simulator's address
    central_server,
    paysim_webhooks,  # after: the simulator's webhooks go to the server's port
    demo_staff_pin,  # helper view with the documented demo PIN (docs/assisted.md)
]


def start_companions(config: KioskConfig) -> tuple[KioskConfig, list[Companion]]:
    """Start every companion in order; on failure stop the ones already started."""
    started: list[Companion] = []
    try:
        for start in COMPANIONS:
            config, companion = start(config)
            if companion is not None:
                started.append(companion)
    except BaseException:
        stop_companions(started)
        raise
    return config, started


def stop_companions(companions: list[Companion]) -> None:
    for companion in reversed(companions):
        try:
            companion.stop()
        except Exception:
            log.exception("stopping %s failed", companion.name)

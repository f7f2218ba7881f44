"""The kiosk app: configuration, the shared cache, and one flow per browser session.

    >>> KioskConfig.from_env({"MADOGUCHI_PORT": "9000"}).port
    9000
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSETS_DIR = REPO_ROOT / "assets"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KioskConfig:
    """Safe defaults; override from a TOML file, then environment, then the command line."""

    host: str = "127.0.0.1"  # never 0.0.0.0: the kiosk serves only its own screen
    port: int = 8550
    data_dir: Path = REPO_ROOT / "var"
    city_dir: Path | None = None  # None: the sample city
    inactivity_timeout_s: float = 120.0
    inactivity_warning_s: float = 30.0
    # Rehearsals and tests: the kiosk's clock starts at this city time and runs on.
    clock_start: datetime | None = None
    open_browser: bool = True  # with a DISPLAY, open Chromium in kiosk mode
    # The central server. None: the demo starts a local one (python -m kiosk demo), and a
    # kiosk served without one keeps every booking provisional.
    server_url: str | None = None
    server_port: int | None = None  # the demo's local server (default 8600, else any free)
    kiosk_token_file: Path | None = None  # this kiosk's credential, issued by `enrol`
    confirm_timeout_s: float = 4.0  # how long a person waits for the server's answer
    # Personal data on the kiosk (kiosk.maintenance): contact details are wiped this
    # long after the server has them; bookings made here are forgotten this long after
    # they ended; the purge runs this often.
    contact_retention_s: float = 900.0
    past_booking_retention_s: float = 86400.0
    maintenance_interval_s: float = 60.0
    # The My Number card (kiosk/card_wiring.py): "any" reader, "off" (no card choice), or
    # (part of) a reader's name, e.g. "Virtual PCD 00 00" for the demo's virtual card.
    card_reader: str = "any"
    jpki_trust: Path | None = None  # CA certificates trusted offline, besides the server's
    card_wait_timeout_s: float = 90.0  # the "put your card on the reader" screen waits this long
    # Helper view (docs/assisted.md): scrypt$salt$hash of the staff PIN; None: helper view off.
    staff_pin_hash: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    ENV = {
        "MADOGUCHI_HOST": "host",
        "MADOGUCHI_PORT": "port",
        "MADOGUCHI_DATA_DIR": "data_dir",
        "MADOGUCHI_CITY_DIR": "city_dir",
        "MADOGUCHI_INACTIVITY_TIMEOUT_S": "inactivity_timeout_s",
        "MADOGUCHI_INACTIVITY_WARNING_S": "inactivity_warning_s",
        "MADOGUCHI_CLOCK_START": "clock_start",
        "MADOGUCHI_OPEN_BROWSER": "open_browser",
        "MADOGUCHI_SERVER_URL": "server_url",
        "MADOGUCHI_SERVER_PORT": "server_port",
        "MADOGUCHI_KIOSK_TOKEN_FILE": "kiosk_token_file",
        "MADOGUCHI_CONFIRM_TIMEOUT_S": "confirm_timeout_s",
        "MADOGUCHI_CONTACT_RETENTION_S": "contact_retention_s",
        "MADOGUCHI_PAST_BOOKING_RETENTION_S": "past_booking_retention_s",
        "MADOGUCHI_MAINTENANCE_INTERVAL_S": "maintenance_interval_s",
        "MADOGUCHI_CARD_READER": "card_reader",
        "MADOGUCHI_JPKI_TRUST": "jpki_trust",
        "MADOGUCHI_CARD_WAIT_TIMEOUT_S": "card_wait_timeout_s",
        "MADOGUCHI_STAFF_PIN_HASH": "staff_pin_hash",
    }

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "KioskConfig":
        env = os.environ if env is None else env
        config = cls()
        if env.get("MADOGUCHI_CONFIG"):
            config = config.with_values(tomllib.loads(Path(env["MADOGUCHI_CONFIG"]).read_text())
                                        .get("kiosk", {}))
        return config.with_values({name: env[key] for key, name in cls.ENV.items() if env.get(key)})

    def with_values(self, values: Mapping[str, object]) -> "KioskConfig":
        known = {f.name: f for f in fields(self)}
        parsed = {}
        for name, raw in values.items():
            if name not in known or name == "extra":
                raise ValueError(f"unknown kiosk setting {name!r}")
            parsed[name] = _parse(name, raw)
        return replace(self, **parsed)


_PATHS = ("data_dir", "city_dir", "kiosk_token_file", "jpki_trust")


def _parse(name: str, raw: object) -> object:
    if not isinstance(raw, str):
        return Path(raw) if name in _PATHS and raw is not None else raw
    if name in ("port", "server_port"):
        return int(raw)
    if name.endswith("_s"):
        return float(raw)
    if name in _PATHS:
        return Path(raw)
    if name == "clock_start":
        return datetime.fromisoformat(raw)
    if name == "open_browser":
        return raw.strip().lower() not in ("0", "false", "no", "")
    return raw


def open_cache(config: KioskConfig):
    """The kiosk's SQLite cache, loaded with the city's data."""
    from kiosk.cache import Cache
    from kiosk.opendata import load_city, sample_city_dir

    config.data_dir.mkdir(parents=True, exist_ok=True)
    cache = Cache.open(config.data_dir / "kiosk.sqlite")
    city = load_city(config.city_dir or sample_city_dir())
    for issue in city.report.issues:  # the full report: python -m kiosk.tools.check_city DIR
        log.warning("city data, %s %s %s (%s): %s", issue.source, issue.row or "", issue.column,
                    issue.severity.value, issue.render())
    cache.load_city(city)
    return cache


def make_clock(config: KioskConfig):
    from kiosk.flow.clock import SystemClock

    clock = SystemClock()
    if config.clock_start is not None:
        clock.offset = config.clock_start - clock.now()
    return clock


def make_link(config: KioskConfig, cache, clock):
    """The kiosk's link to the central server (started), or ``NoServer``."""
    from kiosk.server_link import NoServer, SyncedServerLink

    if not config.server_url:
        log.warning("no central server configured: bookings stay provisional")
        return NoServer(clock)
    if config.kiosk_token_file is None or not config.kiosk_token_file.is_file():
        raise SystemExit("MADOGUCHI_KIOSK_TOKEN_FILE must name this kiosk's token file "
                         "(issued by `python -m sync.server enrol`)")
    from sync.client import SyncEngine

    token = config.kiosk_token_file.read_text().strip()
    link = SyncedServerLink(SyncEngine(cache, config.server_url, token))
    link.start()
    return link


def start_maintenance(config: KioskConfig, cache, clock):
    """The personal-data purge, running (kiosk.maintenance)."""
    from kiosk.maintenance import Maintenance, RetentionPolicy

    return Maintenance(cache, clock, RetentionPolicy.from_config(config)).start()


def make_payments(config: KioskConfig):
    """The payment client (None without a central server) and the receipt printer
    (``MADOGUCHI_RECEIPT_PRINTER``: none, file:PATH, tcp:HOST[:PORT]; unset: a spool
    file in the data dir)."""
    from kiosk.payments.client import PaymentClient
    from kiosk.payments.escpos import printer_from_setting

    printer = printer_from_setting(os.environ.get("MADOGUCHI_RECEIPT_PRINTER"), config.data_dir)
    if not config.server_url or config.kiosk_token_file is None or not config.kiosk_token_file.is_file():
        return None, printer
    return PaymentClient(config.server_url, config.kiosk_token_file.read_text().strip()), printer


def serve(config: KioskConfig) -> None:
    """Serve the kiosk web UI until stopped."""
    import flet as ft

    from kiosk.flow.flow import KioskFlow
    from kiosk.server_link import LinkClock
    from kiosk.ui import theme
    from kiosk.ui.page import KioskPage

    cache = open_cache(config)
    link = make_link(config, cache, make_clock(config))
    clock = LinkClock(link)
    maintenance = start_maintenance(config, cache, clock)
    from kiosk.card_wiring import make_card_feature, start_card_feature  # noqa: E402

    card = make_card_feature(config)
    payments, printer = make_payments(config)
    from kiosk.assist_wiring import attach_assist, make_assist  # noqa: E402

    assist = make_assist(config)  # call staff, helper view

    async def main(page: ft.Page) -> None:
        page.title = "Madoguchi"
        theme.apply(page, ASSETS_DIR)
        await start_card_feature(card)  # once, on this (the UI's) event loop
        flow = KioskFlow(cache, clock, link=link, confirm_timeout_s=config.confirm_timeout_s,
                         card=card, payments=payments, printer=printer)
        attach_assist(flow, assist)
        kiosk = KioskPage(
            page,
            flow,
            timeout_s=config.inactivity_timeout_s,
            warning_s=config.inactivity_warning_s,
        )

        async def on_disconnect(e) -> None:
            kiosk.close()

        page.on_disconnect = on_disconnect
        page.on_close = on_disconnect
        kiosk.start()

    os.environ.setdefault("FLET_WEB_NO_CDN", "1")
    try:
        ft.run(
            main,
            view=ft.AppView.WEB_BROWSER,
            host=config.host,
            port=config.port,
            assets_dir=str(ASSETS_DIR),
            no_cdn=True,
        )
    finally:
        maintenance.stop()
        assist.close()
        close = getattr(link, "close", None)
        if close is not None:
            close()

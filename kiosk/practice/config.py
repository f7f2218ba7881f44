"""Practice mode's configuration and the guard that keeps it away from anything real.

A practice kiosk (``python -m kiosk practice``) runs on the practice city 練習市, in its
own data directory, against a central server and a payment simulator that it started
itself on 127.0.0.1. Nothing a workshop does may reach real bookings, the city's central
server or a real payment provider, so:

1. ``PracticeSettings.from_env`` reads only ``MADOGUCHI_PRACTICE_*`` settings (and the
   harmless clock and inactivity ones); every other ``MADOGUCHI_*`` variable, the ones
   that could name a server, a token, a provider or a database, is ignored and removed
   from the environment (``scrub_environment``) before any companion process starts,
   so neither the practice server nor the simulator inherits it.
2. ``check_practice`` refuses a kiosk configuration that is not wired to exactly the
   companions practice mode started (``PracticeEndpoints``): a server or provider URL
   that is not ``http://127.0.0.1:<their port>``, a data directory that is the kiosk's
   normal one or lacks the practice marker, another city, a token from elsewhere.

    >>> settings = PracticeSettings.from_env({"MADOGUCHI_PRACTICE_SEATS": "8",
    ...                                       "MADOGUCHI_SERVER_URL": "https://city.example.jp"})
    >>> settings.seats, settings.volunteer_code, settings.ignored
    (8, '2525', ('MADOGUCHI_SERVER_URL',))
    >>> loopback_url("https://city.example.jp")
    Traceback (most recent call last):
    ...
    kiosk.practice.config.PracticeConfigError: practice mode talks only to http://127.0.0.1: not 'https://city.example.jp'
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.app import REPO_ROOT, KioskConfig
from kiosk.flow.staff_pin import DEMO_PIN_HASH

PRACTICE_CITY_DIR = Path(__file__).resolve().parent.parent / "data" / "practice_city"
PRACTICE_CITY_CODE = "129999"
DEFAULT_DATA_DIR = REPO_ROOT / "var" / "practice"
MARKER = "PRACTICE"  # a file in the data dir: this directory belongs to practice mode
DEFAULT_VOLUNTEER_CODE = "2525"  # documented demo default; set MADOGUCHI_PRACTICE_VOLUNTEER_CODE
DEFAULT_PORT = 8560
DEFAULT_SEATS = 5
MAX_SEATS = 40

# The only settings a practice kiosk takes from the environment.
ENV = {
    "MADOGUCHI_PRACTICE_PORT": "port",
    "MADOGUCHI_PRACTICE_DATA_DIR": "data_dir",
    "MADOGUCHI_PRACTICE_SEATS": "seats",
    "MADOGUCHI_PRACTICE_VOLUNTEER_CODE": "volunteer_code",
    "MADOGUCHI_PRACTICE_SERVER_PORT": "server_port",
    "MADOGUCHI_PRACTICE_PAYSIM_PORT": "paysim_port",
    "MADOGUCHI_PRACTICE_PHONE_HOST": "phone_host",
    "MADOGUCHI_PRACTICE_PHONE_PORT": "phone_port",
    "MADOGUCHI_CLOCK_START": "clock_start",
    "MADOGUCHI_INACTIVITY_TIMEOUT_S": "inactivity_timeout_s",
    "MADOGUCHI_INACTIVITY_WARNING_S": "inactivity_warning_s",
    "MADOGUCHI_OPEN_BROWSER": "open_browser",
}
# Kept in the environment for the processes practice mode starts (they are harmless):
# the virtual card's key cache and the test-artifacts folder.
KEEP = frozenset(ENV) | {"MADOGUCHI_VIRTUAL_CARD_KEYS", "MADOGUCHI_TEST_ARTIFACTS"}


class PracticeConfigError(RuntimeError):
    """A practice kiosk was about to be wired to something that is not practice."""


@dataclass(frozen=True)
class PracticeSettings:
    port: int = DEFAULT_PORT
    data_dir: Path = DEFAULT_DATA_DIR
    seats: int = DEFAULT_SEATS
    volunteer_code: str = DEFAULT_VOLUNTEER_CODE
    server_port: int = 0  # 0: any free port
    paysim_port: int = 0
    # The payment app's customer page for learners' phones on the LAN (sync/paysim/lan.py):
    # a private-network address of this machine; None: 127.0.0.1 only (a second tab).
    phone_host: str | None = None
    phone_port: int = 0
    clock_start: datetime | None = None
    inactivity_timeout_s: float = 600.0  # a beginner may take their time
    inactivity_warning_s: float = 60.0
    open_browser: bool = True
    ignored: tuple[str, ...] = field(default=(), compare=False)  # env keys not taken

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "PracticeSettings":
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for key, name in ENV.items():
            if env.get(key):
                values[name] = _parse(name, env[key])
        values.update({k: v for k, v in overrides.items() if v is not None})
        ignored = tuple(sorted(k for k in env if k.startswith("MADOGUCHI_") and k not in KEEP))
        settings = cls(**values, ignored=ignored)
        if not 1 <= settings.seats <= MAX_SEATS:
            raise PracticeConfigError(f"seats must be 1 to {MAX_SEATS}, not {settings.seats}")
        if not (settings.volunteer_code.isdigit() and 4 <= len(settings.volunteer_code) <= 8):
            raise PracticeConfigError("the volunteer code must be 4 to 8 digits")
        if settings.phone_host is not None:
            from sync.paysim.lan import NotPrivate, phone_host

            try:
                phone_host(settings.phone_host)
            except NotPrivate as exc:
                raise PracticeConfigError(str(exc)) from None
        return settings


def _parse(name: str, raw: str) -> object:
    if name in ("port", "seats", "server_port", "paysim_port", "phone_port"):
        return int(raw)
    if name.endswith("_s"):
        return float(raw)
    if name == "data_dir":
        return Path(raw)
    if name == "clock_start":
        return datetime.fromisoformat(raw)
    if name == "open_browser":
        return raw.strip().lower() not in ("0", "false", "no", "")
    return raw


def scrub_environment(env: MutableMapping[str, str]) -> list[str]:
    """Remove every ``MADOGUCHI_*`` variable practice mode does not take (a production
    server URL, token file, provider, database...) so no process it starts inherits
    one. Returns the names removed (never their values)."""
    removed = sorted(k for k in env if k.startswith("MADOGUCHI_") and k not in KEEP)
    for key in removed:
        del env[key]
    return removed


def loopback_url(url: str | None) -> str:
    """``url`` if it is plain HTTP on 127.0.0.1 with a port, else PracticeConfigError."""
    parts = urlsplit(url or "")
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port is None \
            or parts.username or parts.password:
        raise PracticeConfigError(f"practice mode talks only to http://127.0.0.1: not {url!r}")
    return url.rstrip("/")


def prepare_data_dir(data_dir: Path) -> Path:
    """Create (or reuse) the practice data dir and its marker. Refuses the kiosk's own
    data dir and any folder that already holds a kiosk cache without the marker."""
    data_dir = Path(data_dir).resolve()
    _not_the_real_data_dir(data_dir)
    if (data_dir / "kiosk.sqlite").exists() and not (data_dir / MARKER).is_file():
        raise PracticeConfigError(f"{data_dir} holds a kiosk cache that is not a practice one")
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / MARKER).write_text("practice mode data: safe to delete\n")
    return data_dir


def _not_the_real_data_dir(data_dir: Path) -> None:
    real = {KioskConfig().data_dir.resolve()}
    if os.environ.get("MADOGUCHI_DATA_DIR"):
        real.add(Path(os.environ["MADOGUCHI_DATA_DIR"]).resolve())
    if data_dir.resolve() in real:
        raise PracticeConfigError(f"{data_dir} is the kiosk's own data directory, not a practice one")


@dataclass(frozen=True)
class PracticeEndpoints:
    """What practice mode started, on 127.0.0.1: the only peers a practice kiosk may use."""

    server_url: str
    paysim_url: str
    data_dir: Path
    phone_url: str | None = None  # the customer page for phones on the LAN, if served


def kiosk_config(settings: PracticeSettings, endpoints: PracticeEndpoints, token_file: Path,
                 trust: Path | None = None) -> KioskConfig:
    """The practice kiosk's configuration: built from the settings, never from the
    kiosk's TOML file or ``MADOGUCHI_*`` variables, and checked."""
    config = KioskConfig(
        port=settings.port, data_dir=endpoints.data_dir, city_dir=PRACTICE_CITY_DIR,
        inactivity_timeout_s=settings.inactivity_timeout_s,
        inactivity_warning_s=settings.inactivity_warning_s, clock_start=settings.clock_start,
        open_browser=settings.open_browser, server_url=endpoints.server_url,
        kiosk_token_file=token_file, card_reader="off",  # each seat has its own virtual card
        jpki_trust=trust,
        # The practice server is on this machine: wait for its answer rather than book
        # provisionally when a room of seats keeps the machine busy.
        confirm_timeout_s=15.0,
        # Volunteers rehearse helping too: the helper view with the documented demo staff
        # PIN (docs/assisted.md); "call staff" reaches the practice server only.
        staff_pin_hash=DEMO_PIN_HASH,
    )
    check_practice(config, endpoints)
    return config


def check_practice(config: KioskConfig, endpoints: PracticeEndpoints,
                   provider_url: str | None = None) -> None:
    """Refuse anything but the practice companions, data dir and city (see the module doc).
    ``provider_url``: the payment provider the practice server was given."""
    loopback_url(endpoints.server_url)
    loopback_url(endpoints.paysim_url)
    if config.host != "127.0.0.1":
        raise PracticeConfigError("a practice kiosk serves only 127.0.0.1")
    if loopback_url(config.server_url) != endpoints.server_url.rstrip("/"):
        raise PracticeConfigError(f"server {config.server_url!r} is not the practice server")
    if provider_url is not None and loopback_url(provider_url) != endpoints.paysim_url.rstrip("/"):
        raise PracticeConfigError(f"provider {provider_url!r} is not the practice simulator")
    data_dir = Path(config.data_dir).resolve()
    _not_the_real_data_dir(data_dir)
    if data_dir != Path(endpoints.data_dir).resolve() or not (data_dir / MARKER).is_file():
        raise PracticeConfigError(f"{data_dir} is not the practice data directory")
    if config.city_dir is None or Path(config.city_dir).resolve() != PRACTICE_CITY_DIR.resolve():
        raise PracticeConfigError("a practice kiosk runs on the practice city only")
    token = config.kiosk_token_file
    if token is None or Path(token).resolve().parent != data_dir:
        raise PracticeConfigError("the practice kiosk's token must be the one practice mode issued")
    if config.card_reader.strip().lower() not in ("off",):
        raise PracticeConfigError("a practice kiosk uses virtual cards only, never a reader")

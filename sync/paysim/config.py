"""Simulator configuration: merchant credentials, webhook target, injected faults.

Read from a JSON file (``--config``) and the environment; credentials missing from both
are generated once and kept in a private file outside the repository, so no secret is
ever committed and a demo works on first start.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

OPERATIONS = ("create", "status", "cancel", "refund", "refund_status")


@dataclass(frozen=True)
class Faults:
    """What the simulator does wrong on purpose. The default does nothing wrong."""

    delay_seconds: float = 0.0  # added before every matching API answer
    hang_count: int = 0  # the next N matching requests hang for hang_seconds
    hang_seconds: float = 60.0  # longer than any sane client timeout
    error_count: int = 0  # the next N matching requests answer error_status
    error_rate: float = 0.0  # and each other matching request with this probability
    error_status: int = 503
    operations: tuple[str, ...] = ()  # which API operations the faults hit; () = all
    lose_answer: bool = True  # a failed request still takes effect; only its answer is lost
    duplicate_webhooks: bool = False  # every webhook is delivered twice
    reorder_webhooks: bool = False  # webhooks are held and delivered newest first
    reorder_hold_seconds: float = 0.5
    drop_webhooks: bool = False  # no webhook is ever delivered (polling must cope)
    late_completion: bool = False  # cancel/expiry of a pending payment: it completes instead
    late_completion_delay_seconds: float = 0.3
    seed: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Faults:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        values = dict(data)
        if "operations" in values:
            ops = tuple(values["operations"])
            bad = set(ops) - set(OPERATIONS)
            if bad:
                raise ValueError(f"unknown operations: {sorted(bad)}")
            values["operations"] = ops
        faults = cls(**values)
        if not 0.0 <= faults.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        return faults

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["operations"] = list(self.operations)
        return data

    def hits(self, operation: str) -> bool:
        return not self.operations or operation in self.operations


@dataclass(frozen=True)
class SimConfig:
    api_key: str
    api_secret: str
    webhook_secret: str
    webhook_url: str | None = None
    merchant_name: str = "みどり市 施設予約"
    public_url: str | None = None  # base of the customer-page URL; default: the request's host
    webhook_max_attempts: int = 6
    webhook_retry_base_seconds: float = 0.2
    webhook_timeout_seconds: float = 3.0
    faults: Faults = field(default_factory=Faults)

    def with_faults(self, faults: Faults) -> SimConfig:
        return replace(self, faults=faults)


def default_credentials_path() -> Path:
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "madoguchi" / "paysim-credentials.json"


def _generated_credentials(path: Path) -> dict[str, str]:
    """Demo credentials, made at first start and reused afterwards (mode 0600)."""
    if path.exists():
        return json.loads(path.read_text())
    creds = {
        "api_key": "demo-" + secrets.token_hex(6),
        "api_secret": secrets.token_urlsafe(32),
        "webhook_secret": secrets.token_urlsafe(32),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(creds, f)
    return creds


def load_config(
    config_file: Path | None = None,
    env: dict[str, str] | None = None,
    credentials_file: Path | None = None,
) -> SimConfig:
    """File settings, overridden by PAYSIM_* environment variables."""
    env = dict(os.environ if env is None else env)
    data: dict[str, Any] = json.loads(config_file.read_text()) if config_file else {}
    for name in ("api_key", "api_secret", "webhook_secret", "webhook_url", "public_url",
                 "merchant_name"):
        value = env.get("PAYSIM_" + name.upper())
        if value:
            data[name] = value
    if not all(data.get(k) for k in ("api_key", "api_secret", "webhook_secret")):
        generated = _generated_credentials(credentials_file or default_credentials_path())
        for key, value in generated.items():
            data.setdefault(key, value)
    faults = Faults.from_json(data.pop("faults", {}))
    known = {f.name for f in fields(SimConfig)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown simulator settings: {sorted(unknown)}")
    return SimConfig(faults=faults, **data)

"""Payment settings of the central server, from the environment (safe demo defaults).

    >>> c = PaymentsConfig.from_env({"MADOGUCHI_PAY_PROVIDER_URL": "http://127.0.0.1:8765",
    ...                              "MADOGUCHI_PAY_API_KEY": "k", "MADOGUCHI_PAY_API_SECRET": "s",
    ...                              "MADOGUCHI_PAY_WEBHOOK_SECRET": "w"})
    >>> c.enabled, c.qr_ttl_s, c.refund_before_deadline_percent, c.refund_after_deadline_percent
    (True, 300.0, 100, 0)
    >>> PaymentsConfig.from_env({}).enabled
    False

Secrets never live in the repository: give them in the environment, or name a JSON
file (``MADOGUCHI_PAY_CREDENTIALS_FILE``, e.g. the simulator's generated one) holding
``api_key``, ``api_secret`` and ``webhook_secret``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV = {
    "MADOGUCHI_PAY_PROVIDER_URL": "provider_url",
    "MADOGUCHI_PAY_API_KEY": "api_key",
    "MADOGUCHI_PAY_API_SECRET": "api_secret",
    "MADOGUCHI_PAY_WEBHOOK_SECRET": "webhook_secret",
    "MADOGUCHI_PAY_PROVIDER_TIMEOUT_S": "provider_timeout_s",
    "MADOGUCHI_PAY_PROVIDER_ATTEMPTS": "provider_attempts",
    "MADOGUCHI_PAY_QR_TTL_S": "qr_ttl_s",
    "MADOGUCHI_PAY_RECONCILE_S": "reconcile_interval_s",
    "MADOGUCHI_PAY_RECONCILE_GRACE_S": "reconcile_grace_s",
    "MADOGUCHI_PAY_POLL_S": "poll_interval_s",
    "MADOGUCHI_PAY_REFUND_BEFORE_PERCENT": "refund_before_deadline_percent",
    "MADOGUCHI_PAY_REFUND_AFTER_PERCENT": "refund_after_deadline_percent",
    "MADOGUCHI_PAY_LATE_CANCEL": "allow_late_cancel",
    "MADOGUCHI_PAY_APPS": "accepted_apps",
    "MADOGUCHI_RECEIPT_KEY_FILE": "receipt_key_file",
}
CREDENTIALS_FILE_ENV = "MADOGUCHI_PAY_CREDENTIALS_FILE"


@dataclass(frozen=True)
class PaymentsConfig:
    provider_url: str = ""  # empty: cashless payment off, every booking is paid at the counter
    api_key: str = ""
    api_secret: str = ""
    webhook_secret: str = ""
    provider_timeout_s: float = 3.0  # per attempt; a kiosk's person is waiting
    provider_attempts: int = 2
    qr_ttl_s: float = 300.0  # how long a QR code can be paid
    reconcile_interval_s: float = 5.0
    reconcile_grace_s: float = 10.0  # past expiry before reconciliation asks the provider
    poll_interval_s: float = 2.0  # a kiosk's status read asks the provider at most this often
    refund_before_deadline_percent: int = 100
    refund_after_deadline_percent: int = 0
    allow_late_cancel: bool = True  # after the deadline: cancel without refund (False: refuse)
    accepted_apps: tuple[str, ...] = ("PaySim",)
    receipt_key_file: Path | None = None  # None: beside the SQLite database, else var/

    @property
    def enabled(self) -> bool:
        return bool(self.provider_url and self.api_key and self.api_secret and self.webhook_secret)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PaymentsConfig:
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        creds = env.get(CREDENTIALS_FILE_ENV)
        if creds and Path(creds).is_file():
            data = json.loads(Path(creds).read_text())
            for key in ("api_key", "api_secret", "webhook_secret"):
                if data.get(key):
                    values[key] = str(data[key])
        for key, name in ENV.items():
            raw = env.get(key)
            if raw:
                values[name] = _parse(name, raw)
        return cls(**values)  # type: ignore[arg-type]


def _parse(name: str, raw: str) -> object:
    if name.endswith("_s"):
        return float(raw)
    if name.endswith("_percent") or name == "provider_attempts":
        value = int(raw)
        if name.endswith("_percent") and not 0 <= value <= 100:
            raise ValueError(f"{name} must be 0..100")
        return value
    if name == "allow_late_cancel":
        return raw.strip().lower() not in ("0", "false", "no", "refuse")
    if name == "accepted_apps":
        return tuple(a.strip() for a in raw.split(",") if a.strip())
    if name == "receipt_key_file":
        return Path(raw)
    return raw

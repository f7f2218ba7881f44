"""Each tenant's city data (facilities, units, rules), loaded once per server process."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from .db import Connection, Database


class UnknownTenant(LookupError):
    pass


class CityRegistry:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._cities: dict[str, Any] = {}

    def get(self, tenant: str, conn: Connection | None = None) -> Any:
        """The tenant's ``kiosk.opendata.CityData`` (``conn``: inside a running transaction)."""
        with self._lock:
            city = self._cities.get(tenant)
        if city is not None:
            return city
        if conn is not None:
            row = conn.one("SELECT city_dir FROM tenants WHERE code = ?", (tenant,))
        else:
            with self._db.read() as c:
                row = c.one("SELECT city_dir FROM tenants WHERE code = ?", (tenant,))
        if row is None:
            raise UnknownTenant(tenant)
        from kiosk.opendata import load_city

        city = load_city(Path(row["city_dir"]))
        with self._lock:
            self._cities[tenant] = city
        return city

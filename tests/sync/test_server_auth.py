"""Credentials and tenant isolation, against a real server process on both databases."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from sync.server.__main__ import openapi_json
from sync.server.process import ROOT

from .conftest import client, seed


def test_committed_openapi_spec_is_current() -> None:
    committed = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_json(), "regenerate: python -m sync.server openapi --out docs/openapi.json"


def test_time_is_public_and_in_city_time(db_url: str, server_factory) -> None:
    srv = server_factory(db_url)
    body = client(srv, None).get("/v1/time").json()
    assert body["time_zone"] == "Asia/Tokyo"
    assert abs(body["epoch_ms"] / 1000 - time.time()) < 5
    assert "+" not in body["now"] and "Z" not in body["now"]  # naive city wall-clock time


def test_unknown_missing_revoked_and_wrong_role_are_refused(db_url: str, server_factory) -> None:
    tenants = seed(db_url, {"midori": ["k1"]})
    srv = server_factory(db_url)
    t = tenants["midori"]
    assert client(srv, None).get("/v1/snapshot").status_code == 401
    assert client(srv, "mdk_not-a-real-token").get("/v1/snapshot").status_code == 401
    kiosk = client(srv, t.kiosk_tokens["k1"])
    assert kiosk.get("/v1/whoami").json() == {"tenant": "midori", "role": "kiosk", "name": "k1"}
    assert kiosk.get("/v1/snapshot").status_code == 200
    assert kiosk.get("/v1/staff/followups").status_code == 403  # kiosks do not read personal data
    staff = client(srv, t.staff_token)
    assert staff.get("/v1/staff/followups").status_code == 200
    assert staff.get("/v1/changes").status_code == 403

    from sync.server.db import Database
    from sync.server.tenants import revoke

    db = Database(db_url)
    revoke(db, "midori", "k1", "kiosk")
    db.close()
    deadline = time.monotonic() + 5  # the server caches credentials for 2 s at most
    while kiosk.get("/v1/snapshot").status_code != 403:
        assert time.monotonic() < deadline, "revocation did not take effect"
        time.sleep(0.2)


def test_enrol_and_revoke_commands(db_url: str, server_factory, tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sync.server", "--db", db_url, *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)

    assert run("add-tenant", "--tenant", "hoshi").returncode == 0
    enrolled = run("enrol", "--tenant", "hoshi", "--kiosk", "library-1")
    assert enrolled.returncode == 0, enrolled.stderr
    token = enrolled.stdout.strip()
    assert token.startswith("mdk_") and len(token) > 40
    again = run("enrol", "--tenant", "hoshi", "--kiosk", "library-1")
    assert again.returncode == 2 and "already has a live credential" in again.stderr
    assert run("enrol", "--tenant", "nowhere", "--kiosk", "x").returncode == 2

    # only the hash is stored
    from sync.server.db import Database

    db = Database(db_url)
    with db.read() as c:
        stored = json.dumps(c.all("SELECT * FROM credentials"), default=str)
    db.close()
    assert token not in stored

    srv = server_factory(db_url)
    assert client(srv, token).get("/v1/whoami").status_code == 200
    assert run("revoke", "--tenant", "hoshi", "--kiosk", "library-1").returncode == 0
    time.sleep(2.2)
    assert client(srv, token).get("/v1/whoami").status_code == 403
    # a new credential for the same kiosk works; the old one stays dead
    new_token = run("enrol", "--tenant", "hoshi", "--kiosk", "library-1").stdout.strip()
    assert client(srv, new_token).get("/v1/whoami").status_code == 200
    assert client(srv, token).get("/v1/whoami").status_code == 403

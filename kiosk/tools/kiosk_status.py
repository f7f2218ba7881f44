"""A kiosk's health for the city's IT: sync state, the outbox, the central server.

``python -m kiosk.tools.kiosk_status`` (what ``packaging/install-kiosk.sh status`` runs)
prints one JSON document and exits 0 when nothing needs a person, 1 otherwise. It reads
the kiosk's configuration (``MADOGUCHI_CONFIG`` / ``MADOGUCHI_*``), opens the cache
read-only (the running kiosk is not disturbed), and asks the central server for its
clock (``GET /v1/time``) and whether this kiosk's token is still accepted
(``GET /v1/whoami``). It prints no personal data: counts and times only.

    >>> from kiosk.tools.kiosk_status import problems
    >>> problems({"server": {"reachable": True, "token": "accepted"},
    ...           "cache": {"exists": True, "pending": 0, "oldest_pending_s": None, "since_sync_s": 12}})
    []
    >>> problems({"server": {"reachable": True, "token": "refused"},
    ...           "cache": {"exists": True, "pending": 3, "oldest_pending_s": 1200, "since_sync_s": 1300}})
    ['the central server refuses this kiosk token: enrol the kiosk again', '3 actions waiting for the server, the oldest for 20 min', 'no sync for 21 min']
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

STALE_S = 15 * 60  # an outbox row or a last sync older than this needs a look


def _under(root: str, path: Path | None) -> Path | None:
    if path is None or not root:
        return path
    return Path(root) / path.relative_to(path.anchor)


def cache_state(data_dir: Path, now: datetime) -> dict[str, Any]:
    path = data_dir / "kiosk.sqlite"
    if not path.is_file():
        return {"exists": False}
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        sync = conn.execute("SELECT last_synced_at, clock_offset_ms FROM sync_state WHERE id = 1").fetchone()
        counts = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        oldest = conn.execute("SELECT MIN(created_at) FROM outbox WHERE state = 'pending'").fetchone()[0]
    finally:
        conn.close()
    last = datetime.fromisoformat(sync[0]) if sync and sync[0] else None

    def age(value: datetime | None) -> int | None:
        return None if value is None else max(0, int((now - value).total_seconds()))

    return {"exists": True, "last_synced_at": last.isoformat() if last else None, "since_sync_s": age(last),
            "clock_offset_ms": sync[1] if sync else 0, "pending": counts.get("pending", 0),
            "rejected": counts.get("rejected", 0),
            "oldest_pending_s": age(datetime.fromisoformat(oldest) if oldest else None)}


def server_state(url: str | None, token_file: Path | None) -> dict[str, Any]:
    import httpx

    if not url:
        return {"configured": False}
    out: dict[str, Any] = {"configured": True, "url": url, "reachable": False, "token": "unknown"}
    try:
        with httpx.Client(base_url=url.rstrip("/"), timeout=3.0) as http:
            r = http.get("/v1/time")
            out["reachable"] = r.status_code == 200
            if token_file is None or not token_file.is_file():
                out["token"] = "missing"
                return out
            token = token_file.read_text().strip()
            r = http.get("/v1/whoami", headers={"Authorization": f"Bearer {token}"})
            out["token"] = "accepted" if r.status_code == 200 else "refused" if r.status_code in (401, 403) else \
                f"HTTP {r.status_code}"
    except PermissionError:
        out["token"] = "unreadable"
    except httpx.HTTPError as exc:
        out["error"] = type(exc).__name__
    return out


def problems(report: dict[str, Any]) -> list[str]:
    out = []
    server, cache = report.get("server", {}), report.get("cache", {})
    if server.get("configured", True):
        if not server.get("reachable"):
            out.append("the central server does not answer (the kiosk books provisionally meanwhile)")
        elif server.get("token") != "accepted":
            out.append({"refused": "the central server refuses this kiosk token: enrol the kiosk again",
                        "missing": "no kiosk token file"}.get(server.get("token"), f"token: {server.get('token')}"))
    if not cache.get("exists"):
        out.append("no kiosk cache yet (has the kiosk ever started?)")
        return out
    if cache.get("pending") and (cache.get("oldest_pending_s") or 0) > STALE_S:
        out.append(f"{cache['pending']} actions waiting for the server, the oldest for "
                   f"{cache['oldest_pending_s'] // 60} min")
    since = cache.get("since_sync_s")
    if server.get("configured", True) and (since is None or since > STALE_S):
        out.append("never synced" if since is None else f"no sync for {since // 60} min")
    return out


def main(argv: list[str] | None = None) -> int:
    from kiosk.app import KioskConfig
    from kiosk.flow.clock import SystemClock

    parser = argparse.ArgumentParser(prog="python -m kiosk.tools.kiosk_status")
    parser.add_argument("--root", default="", help="read the configured paths under this directory (a dry run)")
    parser.add_argument("--version-file", type=Path, default=Path(__file__).resolve().parents[2] / "VERSION",
                        help="the installed tree's VERSION (written by install-kiosk.sh)")
    args = parser.parse_args(argv)
    config = KioskConfig.from_env()
    now = SystemClock().now()
    version_file = args.version_file
    report: dict[str, Any] = {
        "version": version_file.read_text().strip() if version_file.is_file() else None,
        "cache": cache_state(_under(args.root, config.data_dir), now),
        "server": server_state(config.server_url, _under(args.root, config.kiosk_token_file)),
    }
    report["problems"] = problems(report)
    report["healthy"] = not report["problems"]
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0 if report["healthy"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

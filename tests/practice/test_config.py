"""The practice config guard: a practice kiosk is wired to its own companions on
127.0.0.1, its own data dir and the practice city, or it does not start."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.app import KioskConfig
from kiosk.opendata import load_city, sample_city_dir
from kiosk.practice.config import (
    MARKER,
    PRACTICE_CITY_CODE,
    PRACTICE_CITY_DIR,
    PracticeConfigError,
    PracticeEndpoints,
    PracticeSettings,
    check_practice,
    kiosk_config,
    loopback_url,
    prepare_data_dir,
    scrub_environment,
)

SERVER, PAYSIM = "http://127.0.0.1:41001", "http://127.0.0.1:41002"


@pytest.fixture
def endpoints(tmp_path: Path) -> PracticeEndpoints:
    return PracticeEndpoints(SERVER, PAYSIM, prepare_data_dir(tmp_path / "practice"))


@pytest.fixture
def good(endpoints: PracticeEndpoints) -> KioskConfig:
    token = endpoints.data_dir / "kiosk.token"
    token.write_text("t")
    return kiosk_config(PracticeSettings(), endpoints, token)


def test_the_practice_city_is_its_own_tenant_not_the_demo_city():
    city = load_city(PRACTICE_CITY_DIR)
    assert city.code == PRACTICE_CITY_CODE != load_city(sample_city_dir()).code
    assert city.name["ja"] == "練習市" and not city.report.issues


def test_a_checked_config_uses_only_the_practice_companions(good: KioskConfig, endpoints):
    assert good.server_url == SERVER and good.host == "127.0.0.1"
    assert good.city_dir == PRACTICE_CITY_DIR and good.card_reader == "off"
    check_practice(good, endpoints, provider_url=PAYSIM)  # does not raise


@pytest.mark.parametrize("url", [
    "https://city.example.jp", "http://10.0.0.5:8600", "http://localhost:8600",
    "http://127.0.0.1", "http://user:pw@127.0.0.1:8600", "ftp://127.0.0.1:21", "", None,
])
def test_only_plain_http_on_127_0_0_1_with_a_port(url):
    with pytest.raises(PracticeConfigError):
        loopback_url(url)


@pytest.mark.parametrize("change, why", [
    ({"server_url": "https://madoguchi.city.example.jp"}, "127.0.0.1"),
    ({"server_url": "http://127.0.0.1:41999"}, "not the practice server"),
    ({"host": "0.0.0.0"}, "only 127.0.0.1"),
    ({"city_dir": sample_city_dir()}, "practice city"),
    ({"city_dir": None}, "practice city"),
    ({"card_reader": "any"}, "virtual cards only"),
    ({"kiosk_token_file": Path("/etc/madoguchi/kiosk.token")}, "token"),
    ({"kiosk_token_file": None}, "token"),
])
def test_anything_else_is_refused(good: KioskConfig, endpoints, change, why):
    with pytest.raises(PracticeConfigError, match=why):
        check_practice(replace(good, **change), endpoints)


def test_a_real_payment_provider_is_refused(good: KioskConfig, endpoints):
    with pytest.raises(PracticeConfigError, match="127.0.0.1"):
        check_practice(good, endpoints, provider_url="https://api.paypay.example.jp")
    with pytest.raises(PracticeConfigError, match="not the practice simulator"):
        check_practice(good, endpoints, provider_url="http://127.0.0.1:41999")


def test_the_data_dir_must_be_the_practice_one(good: KioskConfig, endpoints, tmp_path: Path):
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(PracticeConfigError, match="not the practice data directory"):
        check_practice(replace(good, data_dir=other), endpoints)
    (endpoints.data_dir / MARKER).unlink()
    with pytest.raises(PracticeConfigError, match="not the practice data directory"):
        check_practice(good, endpoints)


def test_the_kiosks_own_data_dir_and_a_real_cache_are_never_used(tmp_path: Path, monkeypatch):
    with pytest.raises(PracticeConfigError, match="the kiosk's own data directory"):
        prepare_data_dir(KioskConfig().data_dir)
    monkeypatch.setenv("MADOGUCHI_DATA_DIR", str(tmp_path / "real"))
    with pytest.raises(PracticeConfigError, match="the kiosk's own data directory"):
        prepare_data_dir(tmp_path / "real")
    real = tmp_path / "terminal"
    real.mkdir()
    (real / "kiosk.sqlite").write_bytes(b"")  # a terminal's cache, no practice marker
    with pytest.raises(PracticeConfigError, match="not a practice one"):
        prepare_data_dir(real)
    assert not (real / MARKER).exists()


def test_settings_come_only_from_practice_variables():
    env = {"MADOGUCHI_PRACTICE_PORT": "8600", "MADOGUCHI_PRACTICE_SEATS": "12",
           "MADOGUCHI_PRACTICE_VOLUNTEER_CODE": "8642",
           "MADOGUCHI_SERVER_URL": "https://madoguchi.city.example.jp",
           "MADOGUCHI_KIOSK_TOKEN_FILE": "/etc/madoguchi/kiosk.token",
           "MADOGUCHI_PAY_PROVIDER_URL": "https://api.pay.example.jp",
           "MADOGUCHI_CONFIG": "/etc/madoguchi/kiosk.toml", "MADOGUCHI_DATA_DIR": "/var/lib/madoguchi"}
    s = PracticeSettings.from_env(env)
    assert (s.port, s.seats, s.volunteer_code) == (8600, 12, "8642")
    assert s.data_dir.name == "practice"
    assert set(s.ignored) == {"MADOGUCHI_SERVER_URL", "MADOGUCHI_KIOSK_TOKEN_FILE",
                              "MADOGUCHI_PAY_PROVIDER_URL", "MADOGUCHI_CONFIG", "MADOGUCHI_DATA_DIR"}
    with pytest.raises(PracticeConfigError):
        PracticeSettings.from_env({"MADOGUCHI_PRACTICE_SEATS": "0"})
    with pytest.raises(PracticeConfigError):
        PracticeSettings.from_env({"MADOGUCHI_PRACTICE_VOLUNTEER_CODE": "abc"})


def test_scrubbing_removes_every_setting_that_could_point_elsewhere():
    env = {"MADOGUCHI_SERVER_URL": "https://x", "MADOGUCHI_PAY_API_KEY": "k", "MADOGUCHI_DB_URL": "postgresql://x",
           "MADOGUCHI_PRACTICE_SEATS": "3", "MADOGUCHI_CLOCK_START": "2026-11-25T10:00", "PATH": "/bin"}
    removed = scrub_environment(env)
    assert removed == ["MADOGUCHI_DB_URL", "MADOGUCHI_PAY_API_KEY", "MADOGUCHI_SERVER_URL"]
    assert env == {"MADOGUCHI_PRACTICE_SEATS": "3", "MADOGUCHI_CLOCK_START": "2026-11-25T10:00", "PATH": "/bin"}


def test_the_command_refuses_the_kiosks_own_data_dir():
    import subprocess
    import sys

    from kiosk.app import REPO_ROOT

    done = subprocess.run([sys.executable, "-m", "kiosk", "practice", "--no-browser", "--data-dir",
                           str(KioskConfig().data_dir)], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert "practice mode refused:" in done.stderr and "the kiosk's own data directory" in done.stderr
    assert "Traceback" not in done.stderr

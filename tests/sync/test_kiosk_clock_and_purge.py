"""The kiosk never trusts its own clock for rules, and wipes personal data on schedule;
both against a real central server process on 127.0.0.1.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kiosk.app import KioskConfig, make_link, start_maintenance
from kiosk.domain.model import BookingStatus, Residency
from kiosk.domain.rules import ViolationCode
from kiosk.flow import State
from kiosk.flow.booking import BookingDraft, BookingService
from kiosk.server_link import LinkClock
from sync.server.process import ServerProcess

from .conftest import open_day, seed
from .kiosk_harness import killing_servers, Kiosk, city, wait_until

servers = pytest.fixture(killing_servers)
TENANT = "122999"
JST = ZoneInfo("Asia/Tokyo")


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    from kiosk.tools import compile_catalogs

    compile_catalogs.main([])


@pytest.fixture
def skewed_server(tmp_path):
    """A server whose clock runs 400 days ahead of this machine's: seen from the
    server, every kiosk here has a clock 400 days slow."""
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    tenant = seed(url, {TENANT: ["kiosk-a"]})[TENANT]
    start = (datetime.now(JST).replace(tzinfo=None) + timedelta(days=400)).replace(microsecond=0)
    server = ServerProcess(url, log_path=tmp_path / "server.log",
                           env={"MADOGUCHI_CLOCK_START": start.isoformat()}).start()
    yield server, tenant, start
    server.kill()  # kiosks' long-polls may still be open: no graceful wait
    server.close()


def _near(a: datetime, b: datetime, seconds: float = 30) -> bool:
    return abs((a - b).total_seconds()) < seconds


def test_flow_rules_use_the_server_clock_online_and_after_a_restart_offline(tmp_path, skewed_server):
    server, tenant, server_start = skewed_server
    k = Kiosk(tmp_path / "a.sqlite", server.url, tenant.kiosk_tokens["kiosk-a"])
    try:
        assert k.link.online()
        assert _near(k.flow.clock.now(), server_start)
        day = open_day(now=server_start)  # 10+ days ahead on the server's calendar
        # by the kiosk's own clock that day is ~410 days away, far outside the window
        unit = k.cache.unit("chuo-hall")
        own_now = datetime.now(JST).replace(tzinfo=None)
        draft = BookingDraft(unit=unit, slots=(_first_slot(unit, day),), residency=Residency.RESIDENT,
                             person_key="p-1")
        assert ViolationCode.WINDOW_NOT_OPEN in {v.code for v in BookingService(k.cache).validate(draft, own_now)}
        k.to_confirm(day)
        assert k.flow.session.month == (server_start.year, server_start.month)
        k.flow.select_book()
        assert k.flow.state is State.DONE
        assert k.flow.session.booking.status is BookingStatus.CONFIRMED
        assert _near(k.flow.session.booking.created_at, server_start, 60)
    finally:
        k.close()
    # The server goes down; a fresh kiosk process on the same cache file starts offline
    # and still judges by the server clock it measured before.
    server.kill()
    k2 = Kiosk(tmp_path / "a.sqlite", server.url, tenant.kiosk_tokens["kiosk-a"])
    try:
        assert not k2.link.online()
        assert _near(k2.flow.clock.now(), server_start, 60)
        k2.to_confirm(day, block=1)
        k2.flow.select_book()
        assert k2.flow.state is State.DONE and k2.flow.screen().tone == "provisional"
    finally:
        k2.close()


def _first_slot(unit, day):
    from kiosk.domain.slots import scheduled_slots

    facility = next(f for f in city().facilities if f.id == unit.facility_id)
    return scheduled_slots(unit, facility, day)[0]


def test_the_app_links_the_flow_to_server_time_whatever_the_kiosk_clock_says(tmp_path, skewed_server):
    server, tenant, server_start = skewed_server
    token_file = tmp_path / "kiosk.token"
    token_file.write_text(tenant.kiosk_tokens["kiosk-a"])
    # the kiosk's own clock is set to yet another time (as a badly set terminal)
    config = KioskConfig(data_dir=tmp_path / "data", server_url=server.url, kiosk_token_file=token_file,
                         clock_start=datetime(2001, 1, 1, 9, 0))
    from kiosk.app import make_clock, open_cache

    cache = open_cache(config)
    link = make_link(config, cache, make_clock(config))
    try:
        assert link.online()
        assert _near(LinkClock(link).now(), server_start)
    finally:
        link.close()
        cache.close()


def test_a_running_kiosk_wipes_contact_details_once_the_server_has_them(tmp_path, servers):
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    tenant = seed(url, {TENANT: ["kiosk-a"]})[TENANT]
    server = servers(url)
    k = Kiosk(tmp_path / "a.sqlite", server.url, tenant.kiosk_tokens["kiosk-a"])
    config = KioskConfig(contact_retention_s=1.0, maintenance_interval_s=0.1)
    maintenance = start_maintenance(config, k.cache, LinkClock(k.link))
    try:
        day = open_day()
        k.to_confirm(day, "Ann Lee", "0312345678")
        k.flow.select_book()
        online_booking = k.flow.session.booking
        assert online_booking.status is BookingStatus.CONFIRMED
        assert k.cache.booking_contact(online_booking.id) is not None  # kept a moment
        server.kill()
        wait_until(lambda: not k.link.online(), 10, "the kiosk to notice the server is gone")
        k.flow.start_over()
        k.to_confirm(day, "Bo Kim", "0311112222", block=1)
        k.flow.select_book()
        offline_booking = k.flow.session.booking
        wait_until(lambda: k.cache.booking_contact(online_booking.id) is None, 5,
                   "the synced booking's contact to be wiped")
        assert k.cache.outbox_entry(online_booking.id).payload == {}
        # not synced yet: its details exist nowhere else, so they stay
        runs = maintenance.runs
        wait_until(lambda: maintenance.runs >= runs + 5, 5, "more purge rounds")
        assert k.cache.booking_contact(offline_booking.id) == {"name": "Bo Kim", "phone": "0311112222"}
        server.start()
        wait_until(lambda: k.cache.booking_contact(offline_booking.id) is None, 15,
                   "the contact to be wiped after the reconnect pushed it")
    finally:
        maintenance.stop()
        k.close()

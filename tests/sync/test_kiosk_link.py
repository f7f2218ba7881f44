"""The kiosk flow booking through a real central server process over loopback HTTP.

Online, the server confirms a booking while the person waits; a slot someone else took
first is refused with a translated notice and every choice kept; with the server gone
the booking is provisional, and confirmed once the server is back.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.cache import Cache
from kiosk.domain.model import BookingStatus, Residency
from kiosk.flow import KioskFlow, State
from kiosk.opendata import load_city, sample_city_dir
from kiosk.server_link import LinkClock, SyncedServerLink
from sync.client import SyncEngine

from .conftest import open_day, seed


@pytest.fixture(scope="module", autouse=True)
def catalogs():
    from kiosk.tools import compile_catalogs

    compile_catalogs.main([])


class Kiosk:
    """One kiosk: its own cache file, sync engine and flow."""

    def __init__(self, tmp: Path, name: str, url: str, token: str, *, loops: bool = True) -> None:
        self.cache = Cache.open(tmp / f"{name}.sqlite")
        self.cache.load_city(load_city(sample_city_dir()))
        self.link = SyncedServerLink(SyncEngine(self.cache, url, token, timeout=2.0,
                                                long_poll_seconds=1.0, push_interval=0.2))
        if loops:
            self.link.start()
        else:  # one round only: this kiosk learns nothing more unless it books
            self.link.engine.sync_once()
        self.flow = KioskFlow(self.cache, LinkClock(self.link), link=self.link, confirm_timeout_s=3.0)

    def to_confirm(self, day, name: str, phone: str, lang: str = "en", block: int = 0) -> None:
        f = self.flow
        f.select_language(lang)
        f.select_task()
        f.select_category("hall")
        f.select_unit("chuo-hall")
        f.select_day(day)
        f.screen().slots[block].run()
        f.select_slots()
        f.select_identify_method("guest")
        f.select_guest_details(name, phone, Residency.RESIDENT)
        assert f.state is State.CONFIRM, f.notices_text()

    def close(self) -> None:
        self.link.close()
        self.cache.close()


@pytest.fixture
def city_server(tmp_path, server_factory):
    url = f"sqlite:///{tmp_path / 'server.sqlite'}"
    tenants = seed(url, {"122999": ["kiosk-a", "kiosk-b"]})
    return server_factory(url), tenants["122999"]


@pytest.fixture
def kiosks(tmp_path, city_server):
    server, tenant = city_server
    # B runs no background loops: it never pulls A's bookings by itself, so what it
    # books is judged by the server, not by its own cache.
    made = {name: Kiosk(tmp_path, name, server.url, tenant.kiosk_tokens[f"kiosk-{name}"],
                        loops=name == "a")
            for name in ("a", "b")}
    yield made
    for k in made.values():
        k.close()


def test_online_booking_is_confirmed_by_the_server_while_the_person_waits(kiosks, city_server):
    a = kiosks["a"]
    assert a.link.online()
    a.to_confirm(open_day(), "Ann Lee", "0312345678")
    a.flow.select_book()
    assert a.flow.state is State.DONE
    booking = a.flow.session.booking
    assert booking.status is BookingStatus.CONFIRMED and not a.flow.session.booked_offline
    assert a.cache.get_booking(booking.id).status is BookingStatus.CONFIRMED
    assert a.flow.screen().offline_message == ""


def test_a_slot_taken_at_another_kiosk_is_refused_and_every_choice_kept(kiosks):
    a, b = kiosks["a"], kiosks["b"]
    day = open_day()
    # B chooses first and does not pull A's booking before it books: B's cache still
    # shows the slot free, the server is the judge.
    b.to_confirm(day, "Bo Kim", "0311112222")
    a.to_confirm(day, "Ann Lee", "0312345678")
    a.flow.select_book()
    assert a.flow.state is State.DONE
    b.flow.select_book()
    assert b.flow.state is State.CONFIRM and b.flow.session.booking is None
    [notice] = b.flow.notices_text()
    assert "is already booked" in notice
    assert b.flow.session.guest.name == "Bo Kim" and len(b.flow.session.slots) == 1
    refused = [r for r in b.cache._rows("SELECT status FROM local_bookings")]
    assert [r["status"] for r in refused] == ["rejected"]


def test_server_down_books_provisionally_then_confirms_on_reconnect(kiosks, city_server):
    server, _ = city_server
    a = kiosks["a"]
    server.kill()
    a.to_confirm(open_day(), "Ann Lee", "0312345678")
    a.flow.select_book()
    assert a.flow.state is State.DONE and a.flow.session.booked_offline
    booking = a.flow.session.booking
    assert a.flow.screen().offline_message  # the person is told it is provisional
    assert a.cache.get_booking(booking.id).status is BookingStatus.PROVISIONAL
    server.start()
    deadline = time.monotonic() + 15
    while a.cache.get_booking(booking.id).status is BookingStatus.PROVISIONAL:
        assert time.monotonic() < deadline, "the outbox did not drain after reconnect"
        time.sleep(0.1)
    assert a.cache.get_booking(booking.id).status is BookingStatus.CONFIRMED

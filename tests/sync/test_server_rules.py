"""Every domain rule is checked again by the server, through the real API, on both
databases: what a kiosk sends is never trusted (its total least of all)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import httpx
import pytest

from kiosk.domain.fees import quote
from kiosk.domain.model import Residency
from kiosk.domain.slots import slots_for_day
from kiosk.opendata import load_city, sample_city_dir
from sync.server.clock import server_now

from .conftest import client, open_day, seed

CITY = load_city(sample_city_dir())
UNITS = {u.id: u for u in CITY.units}
FACILITIES = {f.id: f for f in CITY.facilities}


def day_ahead(unit_id: str, days: int) -> date:
    """The first day at least ``days`` ahead on which ``unit_id`` is open."""
    unit = UNITS[unit_id]
    day = server_now().date() + timedelta(days=days)
    while not slots_for_day(unit, FACILITIES[unit.facility_id], day):
        day += timedelta(days=1)
    return day


def slots(unit_id: str, day: date, n: int = 1, first: int = 0) -> list[dict]:
    offered = slots_for_day(UNITS[unit_id], FACILITIES[UNITS[unit_id].facility_id], day)
    return [{"start": s.start.isoformat(), "end": s.end.isoformat(), "block_code": s.block_code}
            for s in offered[first:first + n]]


def book(c: httpx.Client, bid: str, unit_id: str, slot_list: list[dict], **extra) -> dict:
    booking = {"booking_id": bid, "code": "T-1", "unit_id": unit_id, "slots": slot_list,
               "residency": "resident", "person_key": f"p-{bid}", "contact": {"name": "試験"}}
    booking.update(extra)
    r = c.post("/v1/mutations", json={"mutations": [{"mutation_id": bid, "kind": "book", "booking": booking}]})
    assert r.status_code == 200, r.text
    return r.json()["results"][0]


def codes(result: dict) -> list[str]:
    return [v["code"] for v in result["violations"]]


@pytest.fixture
def kiosk(db_url: str, server_factory) -> httpx.Client:
    tenant = seed(db_url, {"midori": ["k1"]})["midori"]
    return client(server_factory(db_url), tenant.kiosk_tokens["k1"])


def test_booking_window_depends_on_residency(kiosk: httpx.Client) -> None:
    # midori: residents 90 days ahead, non-residents 60
    day = day_ahead("chuo-meeting-1", 75)
    resident = book(kiosk, "w-res", "chuo-meeting-1", slots("chuo-meeting-1", day))
    assert resident["status"] == "confirmed", resident
    other = book(kiosk, "w-non", "chuo-meeting-1", slots("chuo-meeting-1", day, first=1), residency="non_resident")
    assert other["status"] == "rejected" and codes(other) == ["window_not_open"]
    # a unit's own rule overrides the city's: the main hall books 365 days ahead
    far = day_ahead("bunka-main-hall", 200)
    assert book(kiosk, "w-hall", "bunka-main-hall", slots("bunka-main-hall", far))["status"] == "confirmed"
    assert codes(book(kiosk, "w-meet", "chuo-meeting-1", slots("chuo-meeting-1", day_ahead("chuo-meeting-1", 200)))) \
        == ["window_not_open"]


def test_quota_of_slots_per_booking_and_active_bookings(kiosk: httpx.Client) -> None:
    day = day_ahead("library-study", 12)
    too_many = book(kiosk, "q-slots", "library-study", slots("library-study", day, 3))  # unit max 2
    assert codes(too_many) == ["too_many_slots"]
    assert book(kiosk, "q-two", "library-study", slots("library-study", day, 2))["status"] == "confirmed"
    # max 4 active bookings per person (city rule): the fifth is refused
    for i in range(4):
        r = book(kiosk, f"q-act-{i}", "tennis-a", slots("tennis-a", day_ahead("tennis-a", 12 + i)), person_key="same-person")
        assert r["status"] == "confirmed", r
    fifth = book(kiosk, "q-act-4", "tennis-a", slots("tennis-a", day_ahead("tennis-a", 20)), person_key="same-person")
    assert codes(fifth) == ["too_many_active_bookings"]
    assert fifth["violations"][0]["params"] == {"max": 4, "count": 4}


def test_closed_days_and_year_end(kiosk: httpx.Client) -> None:
    day = open_day(min_days=10)
    while day.weekday() != 0:  # the central hall closes on Mondays
        day += timedelta(days=1)
    offered = slots_for_day(UNITS["chuo-hall"], FACILITIES["chuo-kominkan"], day - timedelta(days=1))
    monday = [{"start": (s.start + timedelta(days=1)).isoformat(), "end": (s.end + timedelta(days=1)).isoformat(),
               "block_code": s.block_code} for s in offered[:1]]
    assert "closed_day" in codes(book(kiosk, "c-mon", "chuo-hall", monday))
    year_end = date(server_now().year, 12, 30)
    start = datetime.combine(year_end, datetime.min.time()).replace(hour=9)
    r = book(kiosk, "c-ye", "tennis-a", [{"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}])
    assert "closed_day" in codes(r)


def test_group_only_units(kiosk: httpx.Client) -> None:
    day = day_ahead("support-activity", 12)
    assert codes(book(kiosk, "g-none", "support-activity", slots("support-activity", day))) == ["group_only"]
    ok = book(kiosk, "g-yes", "support-activity", slots("support-activity", day), group_id="npo-42")
    assert ok["status"] == "confirmed", ok


def test_fees_are_computed_by_the_server(kiosk: httpx.Client) -> None:
    day = day_ahead("chuo-hall", 12)
    chosen = slots("chuo-hall", day, 2)
    unit = UNITS["chuo-hall"]
    from kiosk.domain.model import Slot

    domain_slots = [Slot(datetime.fromisoformat(s["start"]), datetime.fromisoformat(s["end"]), s["block_code"])
                    for s in chosen]
    resident = book(kiosk, "f-res", "chuo-hall", chosen, surcharge_codes=["air_conditioning", "piano"])
    expected = quote(unit, domain_slots, Residency.RESIDENT, {"air_conditioning", "piano"}).total_yen
    # units.toml: morning 3000 + afternoon 4000, air conditioning 1000 per block, piano 2000
    assert resident["total_yen"] == expected == 3000 + 4000 + 2 * 1000 + 2000
    other_day = day_ahead("chuo-hall", 40)
    non = book(kiosk, "f-non", "chuo-hall", slots("chuo-hall", other_day, 2), residency="non_resident")
    assert non["total_yen"] == 6000 + 8000  # the non-resident rates
    # an exemption reduces the usage fee; 100% leaves only the surcharges
    ex_day = day_ahead("chuo-hall", 50)
    exempt = book(kiosk, "f-ex", "chuo-hall", slots("chuo-hall", ex_day, 1), exemption_code="disability")
    assert exempt["status"] == "confirmed" and exempt["total_yen"] == 0
    # the client cannot send a total at all: the wire format has no such field
    bad = {"booking_id": "f-cheat", "code": "T-1", "unit_id": "chuo-hall", "slots": slots("chuo-hall", ex_day, 1, 1),
           "residency": "resident", "total_yen": 1}
    r = kiosk.post("/v1/mutations", json={"mutations": [{"mutation_id": "f-cheat", "kind": "book", "booking": bad}]})
    assert r.status_code == 422


def test_unknown_options_slots_and_mixed_requests(kiosk: httpx.Client) -> None:
    day = day_ahead("chuo-meeting-2", 12)
    one = slots("chuo-meeting-2", day)
    assert codes(book(kiosk, "o-sur", "chuo-meeting-2", one, surcharge_codes=["piano"])) == ["unknown_surcharge"]
    assert codes(book(kiosk, "o-ex", "chuo-meeting-2", one, exemption_code="friends")) == ["unknown_exemption"]
    odd = [{"start": one[0]["start"].replace("T09", "T10"), "end": one[0]["end"], "block_code": None}]
    assert "slot_not_offered" in codes(book(kiosk, "o-odd", "chuo-meeting-2", odd))
    next_day = day_ahead("chuo-meeting-2", (day - server_now().date()).days + 1)
    two_days = one + slots("chuo-meeting-2", next_day)
    assert "mixed_days" in codes(book(kiosk, "o-mixed", "chuo-meeting-2", two_days))
    assert "duplicate_slot" in codes(book(kiosk, "o-dup", "chuo-meeting-2", one + one))
    past = slots("chuo-meeting-2", day_ahead("chuo-meeting-2", -5))
    assert "in_the_past" in codes(book(kiosk, "o-past", "chuo-meeting-2", past))


def test_offline_booking_of_an_online_only_unit_is_refused(kiosk: httpx.Client) -> None:
    day = day_ahead("bunka-main-hall", 12)
    r = book(kiosk, "off-1", "bunka-main-hall", slots("bunka-main-hall", day), provisional=True)
    assert codes(r) == ["offline_not_allowed"]
    assert book(kiosk, "on-1", "bunka-main-hall", slots("bunka-main-hall", day))["status"] == "confirmed"


def test_cancellation_deadline(kiosk: httpx.Client) -> None:
    soon = day_ahead("tennis-b", 1)  # cancellable only until 3 days before
    assert book(kiosk, "d-soon", "tennis-b", slots("tennis-b", soon))["status"] == "confirmed"
    r = kiosk.post("/v1/mutations", json={"mutations": [{"mutation_id": "d-c1", "kind": "cancel", "booking_id": "d-soon"}]})
    res = r.json()["results"][0]
    assert res["outcome"] == "rejected" and codes(res) == ["cancellation_deadline_passed"]
    later = day_ahead("tennis-b", 10)
    assert book(kiosk, "d-later", "tennis-b", slots("tennis-b", later))["status"] == "confirmed"
    r = kiosk.post("/v1/mutations", json={"mutations": [{"mutation_id": "d-c2", "kind": "cancel", "booking_id": "d-later"}]})
    assert r.json()["results"][0]["status"] == "cancelled"

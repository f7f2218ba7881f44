from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.cache import Cache
from kiosk.domain.model import Residency
from kiosk.flow import FixedClock, KioskFlow
from kiosk.opendata import load_city, sample_city_dir
from kiosk.tools import compile_catalogs

# Wednesday 25 November 2026, 10:00 city time.
NOW = datetime(2026, 11, 25, 10, 0)


@pytest.fixture(scope="session", autouse=True)
def catalogs():
    compile_catalogs.main([])


@pytest.fixture(scope="session")
def city():
    return load_city(sample_city_dir())


@pytest.fixture
def cache(tmp_path, city):
    cache = Cache.open(tmp_path / "kiosk.sqlite")
    cache.load_city(city)
    yield cache
    cache.close()


@pytest.fixture
def clock():
    return FixedClock(NOW)


@pytest.fixture
def flow(cache, clock):
    return KioskFlow(cache, clock)


def to_time_blocks(flow: KioskFlow, lang: str = "ja", category: str = "hall",
                   unit: str = "chuo-hall", day: date = date(2026, 11, 28)) -> None:
    flow.select_language(lang)
    flow.select_task()
    flow.select_category(category)
    flow.select_unit(unit)
    flow.select_day(day)


def to_confirm(flow: KioskFlow, *, slots: int = 2, lang: str = "ja", name: str = "山田 太郎",
               phone: str = "090-1234-5678", residency: Residency = Residency.RESIDENT, **kw) -> None:
    to_time_blocks(flow, lang, **kw)
    for action in flow.screen().slots[:slots]:
        action.run()
    flow.select_slots()
    flow.select_identify_method("guest")
    flow.select_guest_details(name, phone, residency)


@pytest.fixture
def go():
    """Helpers that drive a flow to a screen: go.time_blocks(flow), go.confirm(flow)."""
    class Go:
        time_blocks = staticmethod(to_time_blocks)
        confirm = staticmethod(to_confirm)
    return Go

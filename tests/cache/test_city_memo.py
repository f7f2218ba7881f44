"""Cache.city() is parsed once and handed out until the city changes, here or elsewhere."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.cache import Cache


def test_city_is_read_once_then_shared_and_read_only(cache):
    first = cache.city()
    assert cache.city() is first
    with pytest.raises(TypeError):
        first.exemptions["free"] = None  # shared between callers: frozen


def test_load_city_here_replaces_it(cache, sample_city):
    old = cache.city()
    renamed = dataclasses.replace(sample_city, rules=dataclasses.replace(sample_city.rules, max_active_bookings=9))
    cache.load_city(renamed)
    assert cache.city() is not old
    assert cache.city().rules.max_active_bookings == 9


def test_a_commit_by_another_connection_replaces_it(cache, sample_city):
    old = cache.city()
    with Cache.open(cache.path, check="none") as other:  # e.g. another process syncing
        other.load_city(dataclasses.replace(sample_city, units=sample_city.units[:3]))
    fresh = cache.city()
    assert fresh is not old and len(fresh.units) == 3
    assert cache.city() is fresh

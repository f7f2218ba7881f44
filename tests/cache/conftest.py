from datetime import datetime
from pathlib import Path

import pytest

from kiosk.cache import Cache
from kiosk.opendata import load_city, sample_city_dir


@pytest.fixture(scope="session")
def sample_city():
    return load_city(sample_city_dir())


@pytest.fixture
def cache(tmp_path: Path, sample_city) -> Cache:
    c = Cache.open(tmp_path / "kiosk.db")
    c.load_city(sample_city)
    yield c
    c.close()


"""The availability benchmark runs and measures what it says (at a tiny scale, no timing
asserted: targets live in bench/, run with `python -m bench availability`)."""

from __future__ import annotations

import doctest
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # bench/ is a top-level folder, not an installed package

from bench import _stats, availability  # noqa: E402


def test_stats_doctests():
    assert doctest.testmod(_stats).failed == 0


def test_percentile_and_figure():
    values = sorted(float(v) for v in range(1, 101))
    assert _stats.percentile(values, 50) == 50.5
    assert _stats.percentile(values, 95) == 95.05
    fig = _stats.Figure.from_samples("x", [500_000] * 10, target_median_ms=1, target_p95_ms=2)
    assert fig.met is True and "met" in fig.line()


def test_fixture_holds_the_asked_bookings_spread_over_units_without_overlap(tmp_path):
    path, took = availability.fixture(tmp_path, units=6, bookings=3000)
    assert took is not None
    db = sqlite3.connect(path)
    try:
        assert db.execute("SELECT count(*) FROM busy").fetchone()[0] == 3000
        per_unit = [n for (n,) in db.execute("SELECT count(*) FROM busy GROUP BY unit_id")]
        assert per_unit == [500] * 6
        assert db.execute("SELECT count(*) FROM units").fetchone()[0] == 6
        overlapping = db.execute(
            'SELECT count(*) FROM busy a JOIN busy b ON a.unit_id = b.unit_id '
            'AND a.booking_id < b.booking_id AND a.start < b."end" AND b.start < a."end"').fetchone()[0]
        assert overlapping == 0
        # The measured months (after NOW) hold bookings of every unit.
        assert db.execute("SELECT count(DISTINCT unit_id) FROM busy WHERE start >= '2026-12-01' "
                          "AND start < '2027-03-01'").fetchone()[0] == 6
    finally:
        db.close()
    assert availability.fixture(tmp_path, units=6, bookings=3000) == (path, None)  # reused


def test_calendar_month_is_the_real_month_of_the_unit(tmp_path):
    from kiosk.cache import Cache
    from kiosk.domain.availability import DayState

    path, _ = availability.fixture(tmp_path, units=6, bookings=3000)
    with Cache.open(path, check="none") as cache:
        unit = cache.units()[0]
        days, fee = availability.calendar_month(cache, unit.id, 2026, 12, availability.NOW)
    assert len(days) == 31
    assert any(d.state is DayState.FULL or d.free_slots < d.total_slots for d in days)
    assert fee is not None and fee.total_yen > 0


def test_command_prints_both_figures(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "bench", "availability", "--bookings", "2000", "--units", "4",
         "--repeat", "20", "--data-dir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "2,000 cached bookings across 4 units" in out
    assert re.search(r"calendar month \(cache \+ rules \+ fee\)\s+n=20\s+median\s+[\d.]+ ms\s+p95", out)
    assert re.search(r"calendar screen view-model \(flow, ja\)\s+n=20", out)
    assert re.search(r"calendar month, CPU time\s+n=20\s+median", out)
    assert re.search(r"load average [\d.]+ / [\d.]+ on \d+ cores", out)

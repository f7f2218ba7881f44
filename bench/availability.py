"""Availability of one unit for one month, from a real SQLite cache with 1M bookings.

    python -m bench availability [--bookings 1000000] [--units 100] [--repeat 2000]
                                 [--data-dir var/bench] [--check]

Target (issue 3): median <= 1 ms, p95 <= 2 ms for the calendar month figure.

The cache is the kiosk's own (``kiosk.cache.Cache``, same schema, indexes and pragmas)
holding the sample city's units replicated to ``--units`` units and ``--bookings`` busy
intervals spread evenly over them (about 70% of every slot taken around the measured
months). It is built once by bulk insert and reused while its parameters match.

Figures (each call: a different unit and one of the next 3 months, cycling), in
wall-clock time (the target) and in CPU time (what the call itself cost, whatever else
the machine runs):

- ``calendar month``: what the calendar screen needs from the domain and the cache: the
  unit, its facility (opening hours, closures), the city's rules resolved for the unit
  (booking windows), the unit's busy intervals of the month from SQLite, the state and
  free count of every day, and the fee of one slot on the first free day for the
  person's rate (what the next screens quote).
- ``calendar screen view-model``: the same through the real flow (``KioskFlow.screen()``
  on the calendar), with every label translated and every date formatted by Babel.
"""

from __future__ import annotations

import argparse
import calendar
import dataclasses
import json
import random
import sqlite3
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from ._stats import Figure, load_line, sample_both

REPO = Path(__file__).resolve().parent.parent
# The bench's "now": a Wednesday; the measured months are the next three.
NOW = datetime(2026, 11, 25, 10, 0)
TARGET_MEDIAN_MS = 1.0
TARGET_P95_MS = 2.0
FIXTURE_VERSION = 1
TAKEN = 0.7


def parser() -> argparse.ArgumentParser:
    group = argparse.ArgumentParser(prog="python -m bench availability",
                                    description=__doc__.splitlines()[0])
    group.add_argument("--bookings", type=int, default=1_000_000,
                       help="busy intervals in the cache (default 1,000,000)")
    group.add_argument("--units", type=int, default=100, help="units in the cache (default 100)")
    group.add_argument("--repeat", type=int, default=2000, help="timed calls per figure")
    group.add_argument("--data-dir", type=Path, default=REPO / "var" / "bench",
                       help="where the benchmark caches are kept (default var/bench/)")
    group.add_argument("--check", action="store_true",
                       help="exit with status 1 when the target is missed")
    return group


# -- the fixture -------------------------------------------------------------------------
def bench_city(units: int):
    """The sample city with its units replicated (id suffixes) up to ``units`` units."""
    from kiosk.opendata import load_city, sample_city_dir

    city = load_city(sample_city_dir())
    base = city.units
    replicated = tuple(
        dataclasses.replace(base[i % len(base)], id=f"{base[i % len(base)].id}-{i:03d}")
        for i in range(units)
    )
    return dataclasses.replace(city, units=replicated)


def _busy_rows(city, bookings: int, seed: int = 7):
    """(booking_id, start, end, unit_id, status) rows, sorted by unit then start."""
    from kiosk.domain.calendar import closure_reason
    from kiosk.domain.slots import slot_template

    rng = random.Random(seed)
    facilities = {f.id: f for f in city.facilities}
    per_unit, extra = divmod(bookings, len(city.units))
    statuses = ["confirmed"] * 9 + ["provisional"]
    for u, unit in enumerate(city.units):
        facility = facilities[unit.facility_id]
        template = slot_template(unit, facility)
        want = per_unit + (u < extra)
        # Centre this unit's bookings on NOW, so the measured months are as busy as any.
        per_day = max(len(template) * TAKEN, 0.1)
        day = NOW.date() - timedelta(days=int(want / per_day / 2))
        n = 0
        while n < want:
            if closure_reason(facility, day) is None:
                midnight = datetime(day.year, day.month, day.day)
                for s, e, _code in template:
                    if n < want and rng.random() < TAKEN:
                        yield (f"b{u:03d}{n:08d}", (midnight + s).isoformat(),
                               (midnight + e).isoformat(), unit.id, rng.choice(statuses))
                        n += 1
            day += timedelta(days=1)


def build_cache(path: Path, units: int, bookings: int) -> float:
    """Create the cache file with the kiosk's schema, then bulk insert. Returns seconds."""
    from kiosk.cache import Cache

    started = time.monotonic()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    city = bench_city(units)
    with Cache.open(path, check="none") as cache:
        cache.load_city(city)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")  # a rebuildable fixture, not bookings
        conn.execute("BEGIN")
        conn.executemany('INSERT INTO busy (booking_id, start, "end", unit_id, status) '
                         "VALUES (?, ?, ?, ?, ?)", _busy_rows(city, bookings))
        longest = conn.execute(
            "SELECT max(CAST(strftime('%s', \"end\") AS INTEGER) - CAST(strftime('%s', start) AS INTEGER))"
            " FROM busy").fetchone()[0] or 0
        conn.execute("UPDATE meta SET value = max(value, ?) WHERE key = 'busy_max_span_s'", (longest,))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return time.monotonic() - started


def fixture(data_dir: Path, units: int, bookings: int) -> tuple[Path, float | None]:
    """The cache for these parameters, built unless an identical one exists."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"availability-{units}u-{bookings}.sqlite"
    stamp = path.with_suffix(".json")
    params = {"units": units, "bookings": bookings, "version": FIXTURE_VERSION}
    if path.is_file() and stamp.is_file() and json.loads(stamp.read_text()) == params:
        return path, None
    took = build_cache(path, units, bookings)
    stamp.write_text(json.dumps(params))
    return path, took


# -- what is measured ---------------------------------------------------------------------
def calendar_month(cache, unit_id: str, year: int, month: int, now: datetime):
    """The calendar screen's domain and cache work for one unit-month (see module doc)."""
    from kiosk.domain.availability import DayState, month_availability
    from kiosk.domain.fees import quote
    from kiosk.domain.model import Residency
    from kiosk.domain.slots import effective_rules, slot_template, slots_from_template

    unit = cache.unit(unit_id)
    facility = cache.facility(unit.facility_id)
    rules = effective_rules(unit, cache.city().rules)
    first = datetime(year, month, 1)
    busy = cache.busy_between(unit.id, first, first + timedelta(days=calendar.monthrange(year, month)[1]))
    days = month_availability(unit, facility, year, month, busy, now, Residency.RESIDENT, rules)
    free = next((d for d in days if d.state is DayState.AVAILABLE), None)
    fee = None
    if free is not None:
        slot = slots_from_template(slot_template(unit, facility), free.day)[0]
        fee = quote(unit, [slot], Residency.RESIDENT)
    return days, fee


def _months(now: datetime, count: int = 3) -> list[tuple[int, int]]:
    out, (y, m) = [], (now.year, now.month)
    for _ in range(count):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append((y, m))
    return out


def run(args: argparse.Namespace) -> list[Figure]:
    from kiosk.cache import Cache
    from kiosk.flow import FixedClock, KioskFlow
    from kiosk.flow.states import State

    path, took = fixture(args.data_dir, args.units, args.bookings)
    built = f"built in {took:.1f} s" if took is not None else "reused"
    with Cache.open(path, check="none") as cache:
        unit_ids = [u.id for u in cache.units()]
        rows = cache._conn.execute("SELECT count(*) FROM busy").fetchone()[0]
        print(f"availability: {rows:,} cached bookings across {len(unit_ids)} units "
              f"({path.relative_to(REPO) if path.is_relative_to(REPO) else path}, {built})",
              flush=True)
        months = _months(NOW)
        # Spread calls over units and months, in a fixed shuffled order.
        plan = [(u, ym) for u in unit_ids for ym in months]
        random.Random(1).shuffle(plan)

        def one_month(i: int) -> None:
            unit_id, (y, m) = plan[i % len(plan)]
            calendar_month(cache, unit_id, y, m, NOW)

        walls, cpus = sample_both(one_month, args.repeat, 50)
        figures = [Figure.from_samples("calendar month (cache + rules + fee)", walls,
                                       target_median_ms=TARGET_MEDIAN_MS, target_p95_ms=TARGET_P95_MS),
                   Figure.from_samples("calendar month, CPU time", cpus)]

        flows = {}

        def on_calendar(unit_id: str) -> KioskFlow:
            flow = flows.get(unit_id)
            if flow is None:
                unit = cache.unit(unit_id)
                flow = KioskFlow(cache, FixedClock(NOW))
                flow.select_language("ja")
                flow.select_task()
                flow.select_category(unit.category)
                flow.select_unit(unit_id)
                flows[unit_id] = flow
            return flow

        def one_screen(i: int) -> None:
            unit_id, (y, m) = plan[i % len(plan)]
            flow = on_calendar(unit_id)
            flow.session.month = (y, m)
            screen = flow.screen()
            assert screen.chrome.state is State.CALENDAR

        walls, cpus = sample_both(one_screen, args.repeat, 50)
        figures += [Figure.from_samples("calendar screen view-model (flow, ja)", walls),
                    Figure.from_samples("calendar screen view-model, CPU time", cpus)]
    print(load_line(), flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    figures = run(args)
    for figure in figures:
        print(figure.line(), flush=True)
    return 1 if args.check and any(f.met is False for f in figures) else 0


if __name__ == "__main__":
    raise SystemExit(main())

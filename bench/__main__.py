"""Run every benchmark module of this package: ``python -m bench [name ...]``.

Each ``bench/<name>.py`` with a ``main(argv)`` is a benchmark; it prints its own figures
and targets. With names, only those run (``python -m bench sync_bootstrap``); options
after the names go to each of them (``python -m bench availability --bookings 10000``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    split = next((i for i, a in enumerate(args) if a.startswith("-")), len(args))
    names, options = args[:split] or modules(), args[split:]
    failed = 0
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        if not hasattr(module, "main"):
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            failed += bool(module.main(options))
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            print(f"   {name} failed: {type(exc).__name__}: {exc}")
            failed += 1
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

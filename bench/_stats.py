"""Timing helpers for benchmarks: sample a call, summarise it as median / p95 / p99 / max
against a target, print one line per figure.

    >>> stats = Figure.from_samples("x", [1_000_000, 2_000_000, 3_000_000, 4_000_000],
    ...                             target_median_ms=2.0, target_p95_ms=5.0)
    >>> stats.median_ms, stats.p95_ms, stats.met
    (2.5, 3.85, False)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not sorted_values:
        raise ValueError("no samples")
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


@dataclass(frozen=True)
class Figure:
    name: str
    n: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    target_median_ms: float | None = None
    target_p95_ms: float | None = None

    @classmethod
    def from_samples(cls, name: str, samples_ns: Sequence[int], *,
                     target_median_ms: float | None = None,
                     target_p95_ms: float | None = None) -> "Figure":
        ms = sorted(s / 1e6 for s in samples_ns)
        return cls(name, len(ms), round(statistics.median(ms), 4), round(percentile(ms, 95), 4),
                   round(percentile(ms, 99), 4), round(ms[-1], 4), target_median_ms, target_p95_ms)

    @property
    def met(self) -> bool | None:
        """Whether the targets are met (None: no target)."""
        if self.target_median_ms is None and self.target_p95_ms is None:
            return None
        return ((self.target_median_ms is None or self.median_ms <= self.target_median_ms)
                and (self.target_p95_ms is None or self.p95_ms <= self.target_p95_ms))

    def line(self) -> str:
        target = ""
        if self.met is not None:
            target = (f"   target median <= {self.target_median_ms:g} ms, p95 <= "
                      f"{self.target_p95_ms:g} ms: {'met' if self.met else 'MISSED'}")
        return (f"  {self.name:<44} n={self.n:<6} median {self.median_ms:8.3f} ms   "
                f"p95 {self.p95_ms:8.3f} ms   p99 {self.p99_ms:8.3f} ms   max {self.max_ms:8.3f} ms"
                f"{target}")


def sample(fn: Callable[[int], object], repeat: int, warmup: int) -> list[int]:
    """Time ``fn(i)`` for i in range(repeat) after ``warmup`` untimed calls, in ns."""
    return sample_both(fn, repeat, warmup)[0]


def sample_both(fn: Callable[[int], object], repeat: int,
                warmup: int) -> tuple[list[int], list[int]]:
    """Wall-clock and CPU time of each call, in ns. On a machine shared with other jobs
    the wall clock also counts the time this process waited for a core; CPU time is what
    the call itself cost."""
    for i in range(warmup):
        fn(i)
    wall, cpu = time.perf_counter_ns, time.thread_time_ns
    walls, cpus = [], []
    for i in range(repeat):
        w0, c0 = wall(), cpu()
        fn(i)
        cpus.append(cpu() - c0)
        walls.append(wall() - w0)
    return walls, cpus


def load_line() -> str:
    """The machine's load, to judge wall-clock figures by."""
    import os

    one, five, _ = os.getloadavg()
    return f"  (load average {one:.1f} / {five:.1f} on {os.cpu_count()} cores)"

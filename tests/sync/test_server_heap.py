"""The server process's collector settings (sync/server/heap.py), checked in a fresh
interpreter: freezing is process-wide and must not leak into the test process."""

from __future__ import annotations

import json
import subprocess
import sys

from sync.server.heap import YOUNG_THRESHOLD


def test_settle_heap_freezes_what_exists_and_collects_the_young_less_often() -> None:
    code = (
        "import gc, json; before = gc.get_threshold();"
        "from sync.server.heap import settle_heap; settle_heap();"
        "print(json.dumps([gc.get_freeze_count(), before, gc.get_threshold()]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    frozen, before, after = json.loads(out)
    assert frozen > 1000  # the modules imported so far, at least
    assert after == [YOUNG_THRESHOLD, before[1], before[2]]

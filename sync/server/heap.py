"""The garbage collector, tuned for a long-running server process.

A server process builds everything it keeps (modules, the FastAPI app, pydantic's
validators) once at start, then handles requests that each leave a few hundred container
objects which reference counting frees at once. Python's default collector settings suit
neither: it walks the whole start-up heap again in every full collection (~40 ms each
here), and it collects the young generation every 700 allocations net, some 200 times a
second per process in an opening-hour rush. Measured with ``python -m bench.sync_rush``
(gc.callbacks timing each collection), the collector took about a fifth of a server
process's CPU; settled, about a twentieth.

Reference cycles are still collected, just less often: a request's cycles (exceptions
holding their frames, mostly) wait for the next young collection.
"""

from __future__ import annotations

import gc

# Young-generation threshold: collect after this many allocations net of frees. 10,000
# container objects are a few MB at most; the older generations keep their ratios.
YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Call once the app is built, before serving: what exists now lives as long as the
    process, so it moves out of the collector's sight (``gc.freeze``)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)

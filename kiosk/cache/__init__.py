"""The kiosk's local cache: SQLite (WAL, synchronous=FULL) through sqlite-utils.

    cache = Cache.open(path)          # migrates; a corrupt file is moved aside and rebuilt
    cache.load_city(load_city(sample_city_dir()))
    cache.busy_between("chuo-hall", start, end)
"""

from ._cache import Cache, NoCityLoaded, SlotConflict, code_key
from ._types import BusyChange, ChangeOp, OutboxEntry, OutboxState, Recovery, SyncState
from .migrations import MIGRATIONS, Migration, migrate

__all__ = [
    "Cache", "NoCityLoaded", "SlotConflict", "code_key", "BusyChange", "ChangeOp", "OutboxEntry",
    "OutboxState", "Recovery", "SyncState", "MIGRATIONS", "Migration", "migrate",
]

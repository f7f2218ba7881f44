"""The kiosk's sync link to the central server.

    from sync.client import SyncEngine
    engine = SyncEngine(cache, base_url, token, on_outcome=callback)
    engine.start(); ...; engine.kick(); ...; engine.close()

See ``sync.client.engine`` for the guarantees and docs/sync.md for the protocol.
"""

from ._api import AuthRefused, BadRequest, CursorAhead, LiveUnsupported, ServerClient, ServerUnavailable, SyncError
from ._wire import book_mutation_payload, cancel_mutation_payload
from .engine import OUTCOME_MESSAGES, Backoff, BookingOutcome, SyncEngine, SyncStatus

__all__ = [
    "AuthRefused", "BadRequest", "LiveUnsupported", "Backoff", "BookingOutcome", "CursorAhead", "OUTCOME_MESSAGES",
    "ServerClient", "ServerUnavailable", "SyncEngine", "SyncError", "SyncStatus",
    "book_mutation_payload", "cancel_mutation_payload",
]

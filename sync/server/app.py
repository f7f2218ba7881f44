"""The central server's HTTP API (FastAPI). ``create_app(db_url)`` builds it.

Every request carries ``Authorization: Bearer <token>``; the token's credential fixes
the tenant, and every query is scoped by that tenant and nothing the client sends.
TLS is the deployment's job (a reverse proxy); see docs/server.md.

The API is a list of routers: a new part of the server (payments, identity...) is an
``APIRouter`` module using ``sync.server.auth`` and ``request.app.state.server``, added
to ``ROUTERS`` with one line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from . import api_call_events, api_calls, api_events, api_staff, api_sync
from .bookings import BookingService
from .cities import CityRegistry
from .db import Database
from .feed import CursorAhead
from .group_commit import GroupCommit
from .live import ChangeNotifier, ChangeWatcher
from .migrations import migrate
from .state import ServerState
from .tenants import CredentialCache

ROUTERS: list[APIRouter] = [
    api_sync.router,
    api_events.router,
    api_staff.router,
    api_calls.router,
    api_call_events.router,
]


def create_app(db_url: str | None = None, *, routers: list[APIRouter] | None = None,
               watch: bool = True) -> FastAPI:
    """The app on ``db_url`` (default: ``MADOGUCHI_DB_URL`` or the embedded SQLite file).

    ``watch``: follow other server processes' commits (LISTEN/NOTIFY, data_version) so
    their changes wake this process's waiting kiosks at once."""
    db = Database(db_url)  # type: ignore[arg-type]
    migrate(db)
    notifier = ChangeNotifier()
    cities = CityRegistry(db)
    bookings = BookingService(db, cities, on_change=notifier.bump, residency=_residency_check())
    state = ServerState(
        db=db, notifier=notifier, credentials=CredentialCache(db), cities=cities, bookings=bookings,
        book_writer=GroupCommit(bookings.apply_books, name="book-writer"),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watcher = ChangeWatcher(db, notifier.bump).start() if watch else None
        try:
            yield
        finally:
            if watcher is not None:
                watcher.stop()
            state.book_writer.close()
            db.close()

    app = FastAPI(
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="Madoguchi central server",
        version="1.0.0",
        description="Authoritative bookings of every city (tenant); kiosks sync through it.",
    )
    app.state.server = state
    app.state.db = db
    app.state.credentials = state.credentials

    @app.exception_handler(CursorAhead)
    async def _cursor_ahead(request: Request, exc: CursorAhead) -> JSONResponse:
        return JSONResponse({"detail": "cursor_ahead: bootstrap from /v1/snapshot"}, status_code=409)

    chosen = list(ROUTERS if routers is None else routers)
    if routers is None:
        # Parts whose router is built per app (they keep state of their own).
        from . import auth
        from .identity_api import identity_router
        from .payments_api import mount_payments

        chosen.append(identity_router(db, cities, auth.kiosk))
    for router in chosen:
        document_auth_errors(router)
        app.include_router(router)
    if routers is None:
        mount_payments(app, db, cities, kiosk=auth.kiosk, staff=auth.staff, on_change=notifier.bump)
    return app


def _residency_check():
    """The server's own residency decision for card holders, with the JPKI CAs it trusts."""
    import os

    from kiosk.card.trust import TRUST_ENV, load_trust_anchors

    from .card_check import ResidencyCheck

    return ResidencyCheck(load_trust_anchors(os.environ.get(TRUST_ENV)))


def document_auth_errors(router: APIRouter) -> None:
    """Every route behind a bearer token documents its 401 and 403 in the spec, whichever
    router declared it (clients and the schema fuzzer rely on the spec being complete)."""
    from fastapi.routing import APIRoute

    from .auth import BearerCredential

    def needs_token(dependant) -> bool:  # type: ignore[no-untyped-def]
        return any(isinstance(d.call, BearerCredential) or needs_token(d) for d in dependant.dependencies)

    for route in router.routes:
        if isinstance(route, APIRoute) and needs_token(route.dependant):
            route.responses.setdefault(401, {"description": "no token, or an unknown one"})
            route.responses.setdefault(403, {"description": "a revoked credential, or the wrong role"})

"""The live channel: server-sent events carrying the change feed as it grows.

    GET /v1/events?since=CURSOR          (or the Last-Event-ID header, which wins)

The stream is the change feed pushed instead of pulled: each ``changes`` event is one
``ChangesPage`` (the same JSON as /v1/changes) and its SSE ``id`` is the page's cursor,
so a client that reconnects with ``Last-Event-ID`` resumes exactly where it stopped.
``ping`` events (every ``heartbeat`` seconds without changes) carry the cursor and the
server clock: a client that hears nothing for two heartbeats treats the stream as dead.
A stream ends by itself after ``MAX_STREAM_SECONDS`` with a ``bye`` event (the client
reconnects; a stream that ends WITHOUT one was cut), after a ``reset`` event (the cursor
is ahead: bootstrap again) or a ``revoked`` event.
Long-poll (/v1/changes?wait=) stays the fallback for networks that buffer streams.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from ..protocol import ErrorOut
from .api_sync import Since, cursor_param
from .auth import AUTH_ERRORS, Kiosk
from .clock import server_now
from .feed import CursorAhead, changes_page
from .state import server_state

router = APIRouter(tags=["sync"])

MAX_STREAM_SECONDS = 300.0
PAGE_LIMIT = 1000
RETRY_MS = 1000


def sse(event: str, data: object, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {event}\ndata: {body}\n\n".encode()


@router.get(
    "/v1/events",
    responses={
        **AUTH_ERRORS,
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
              "description": "events: changes (a ChangesPage), ping, bye, reset, revoked; see docs/sync.md"},
        409: {"model": ErrorOut, "description": "cursor ahead of the feed"},
    },
)
async def get_events(
    request: Request, cred: Kiosk,
    since: Since = "",
    heartbeat: Annotated[float, Query(ge=1, le=60, description="seconds between pings")] = 15,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20, pattern=r"^[0-9]*$")] = None,
) -> StreamingResponse:
    """Server-sent events: the tenant's change feed, pushed as it is committed."""
    st = server_state(request)
    tenant = cred.tenant
    after = cursor_param(last_event_id if last_event_id else since)
    token = request.headers.get("authorization", "").partition(" ")[2].strip()
    version = st.notifier.version(tenant)
    first = await run_in_threadpool(changes_page, st.db, tenant, after, PAGE_LIMIT)  # 409 if ahead

    async def stream() -> AsyncIterator[bytes]:
        nonlocal version
        page, cursor = first, str(after)
        started = time.monotonic()
        yield f"retry: {RETRY_MS}\n\n".encode()
        while True:
            if page["changes"]:
                cursor = page["cursor"]
                yield sse("changes", page, cursor)
                if page["more"]:
                    page = await run_in_threadpool(changes_page, st.db, tenant, int(cursor), PAGE_LIMIT)
                    continue
            if time.monotonic() - started > MAX_STREAM_SECONDS:
                # said out loud, so a client can tell this end from a cut connection
                yield sse("bye", {"cursor": cursor, "detail": "reconnect"})
                return
            woke = await st.notifier.wait(tenant, version, heartbeat)
            version = st.notifier.version(tenant)
            if not woke:
                again = await run_in_threadpool(st.credentials.lookup, token)
                if again is None or again.revoked:
                    yield sse("revoked", {"detail": "credential revoked"})
                    return
                yield sse("ping", {"cursor": cursor, "server_time": server_now().isoformat(),
                                   "epoch_ms": int(time.time() * 1000)})
            try:
                page = await run_in_threadpool(changes_page, st.db, tenant, int(cursor), PAGE_LIMIT)
            except CursorAhead:
                yield sse("reset", {"detail": "cursor_ahead: bootstrap from /v1/snapshot"})
                return

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

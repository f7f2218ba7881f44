"""Staff calls pushed to staff consoles: server-sent events instead of a long-poll.

    GET /v1/staff/calls/events[?recent_s=900&heartbeat=15]     (staff; Last-Event-ID to resume)

Each ``calls`` event carries the city's whole call list as a console shows it: the open
and acknowledged calls, and the ones that ended (closed, cancelled, ``left``) in the last
``recent_s`` seconds, so a console can say "left" before the row goes. The list is small
(one city's calls of the moment), so a snapshot per change is simpler and safer than
deltas: a console never has to merge. The event's ``id`` is the list's ETag (the same as
``GET /v1/staff/calls?recent_s=`` gives for that list, the long-poll a console falls
back to): a console that reconnects with
``Last-Event-ID`` gets no ``calls`` event until the list differs from the one it shows.

Between changes a comment line (``: ping``) every ``heartbeat`` seconds keeps proxies
from closing the stream, and lets a console tell a quiet stream from a dead one (two
heartbeats without a byte: reconnect, or fall back to the long-poll). The stream ends
after ``MAX_STREAM_SECONDS`` with a ``bye`` event, or with ``revoked`` when the staff
credential is revoked. Scoped by the caller's tenant like every staff route.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from .api_calls import calls_etag
from .api_events import RETRY_MS, sse
from .api_sync import SAFETY_RECHECK_SECONDS
from .auth import AUTH_ERRORS, Staff
from .clock import server_now
from .staff_calls import StaffCallStore
from .state import server_state

router = APIRouter(tags=["staff calls"])

MAX_STREAM_SECONDS = 300.0


@router.get(
    "/v1/staff/calls/events",
    responses={
        **AUTH_ERRORS,
        200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
              "description": "events: calls (a list of StaffCallOut, id = its ETag), bye, revoked; "
                             "`: ping` comments between; see docs/assisted.md"},
    },
)
async def call_events(
    request: Request, cred: Staff,
    recent_s: Annotated[int, Query(ge=0, le=3600, description="also the calls ended this many seconds ago")] = 900,
    heartbeat: Annotated[float, Query(ge=0.2, le=60, description="seconds between ping comments")] = 15,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40,
                                                pattern=r"^[0-9a-f]*$")] = None,
) -> StreamingResponse:
    """The city's calls, pushed whenever they change."""
    st = server_state(request)
    tenant = cred.tenant
    store = StaffCallStore(st.db)
    token = request.headers.get("authorization", "").partition(" ")[2].strip()

    def snapshot() -> list[dict]:
        return store.list(tenant, ended_after=server_now() - timedelta(seconds=recent_s))

    async def stream() -> AsyncIterator[bytes]:
        shown = last_event_id or ""
        started = last_ping = time.monotonic()
        yield f"retry: {RETRY_MS}\n\n".encode()
        while True:
            version = st.notifier.version(tenant)  # read before the list: no change slips by
            calls = await run_in_threadpool(snapshot)
            etag = calls_etag(calls)
            if etag != shown:
                shown = etag
                yield sse("calls", calls, etag)
            now = time.monotonic()
            if now - started > MAX_STREAM_SECONDS:
                yield sse("bye", {"detail": "reconnect"})  # said, so a cut stream is told apart
                return
            if now - last_ping >= heartbeat:
                again = await run_in_threadpool(st.credentials.lookup, token)
                if again is None or again.revoked:
                    yield sse("revoked", {"detail": "credential revoked"})
                    return
                last_ping = now
                yield b": ping\n\n"
            # Woken by this process's commits at once; another process's (several workers)
            # are picked up by the recheck, as the long-poll does.
            wait = min(heartbeat - (time.monotonic() - last_ping), SAFETY_RECHECK_SECONDS)
            await st.notifier.wait(tenant, version, max(wait, 0.05))

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

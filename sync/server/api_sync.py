"""The kiosk sync API: clock, identity, snapshot, change feed (with long-poll), push."""

from __future__ import annotations

import asyncio
import json
from itertools import groupby
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from ..protocol import (
    ChangesPage,
    ErrorOut,
    MutationResult,
    PushRequest,
    PushResponse,
    ServerTime,
    Snapshot,
    WhoAmI,
)
from .auth import AUTH_ERRORS, Anyone, Kiosk
from .clock import CITY_TIME_ZONE, server_epoch_ms, server_now
from .feed import changes_page, parse_cursor, snapshot, snapshot_ndjson, snapshot_rows
from .state import server_state

router = APIRouter(tags=["sync"])

# a waiting long-poll re-reads the feed this often even without a notification
SAFETY_RECHECK_SECONDS = 5.0
NDJSON = "application/x-ndjson"


def json_response(payload: object, status_code: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status_code=status_code, media_type="application/json")


def cursor_param(since: str) -> int:
    try:
        return parse_cursor(since)
    except ValueError:
        raise HTTPException(422, "bad cursor") from None


Since = Annotated[str, Query(max_length=20, pattern=r"^[0-9]*$", description="cursor; empty: from the start")]


@router.get("/v1/time", response_model=ServerTime)
def get_time() -> ServerTime:
    """The server clock; kiosks track their offset from it and use it for rules."""
    return ServerTime(now=server_now(), time_zone=str(CITY_TIME_ZONE), epoch_ms=server_epoch_ms())


@router.get("/v1/whoami", response_model=WhoAmI, responses=AUTH_ERRORS, tags=["auth"])
def whoami(cred: Anyone) -> WhoAmI:
    return WhoAmI(tenant=cred.tenant, role=cred.role, name=cred.name)  # type: ignore[arg-type]


@router.get(
    "/v1/snapshot", response_model=Snapshot,
    responses={**AUTH_ERRORS, 200: {"content": {NDJSON: {"schema": {
        "type": "string", "description": "format=rows: header line, row-array lines, trailer line"}}}}},
)
async def get_snapshot(
    request: Request, cred: Kiosk,
    format: Annotated[Literal["json", "rows"], Query(
        description="json: one Snapshot document; rows: the compact streamed form (docs/sync.md)")] = "json",
) -> Response:
    """Bootstrap: every busy interval from today on, and the cursor to pull from."""
    st = server_state(request)
    now = server_now()
    if format == "json":
        return json_response(await run_in_threadpool(snapshot, st.db, cred.tenant, now))
    seq, rows = await run_in_threadpool(snapshot_rows, st.db, cred.tenant, now)
    return StreamingResponse(snapshot_ndjson(seq, rows, now), media_type=NDJSON)


@router.get("/v1/changes", response_model=ChangesPage,
            responses={**AUTH_ERRORS, 409: {"model": ErrorOut, "description": "cursor ahead of the feed"}})
async def get_changes(
    request: Request, cred: Kiosk,
    since: Since = "",
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    wait: Annotated[float, Query(ge=0, le=30, description="long-poll: seconds to wait for a change")] = 0,
) -> Response:
    """Busy-interval changes after ``since``, in server sequence order, in pages.

    With ``wait`` and nothing new, the answer comes as soon as a change is committed
    (by any server process) or after ``wait`` seconds with an empty page."""
    st = server_state(request)
    after = cursor_param(since)
    version = st.notifier.version(cred.tenant)
    page = await run_in_threadpool(changes_page, st.db, cred.tenant, after, limit)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not page["changes"] and (remaining := deadline - loop.time()) > 0:
        await st.notifier.wait(cred.tenant, version, min(SAFETY_RECHECK_SECONDS, remaining))
        version = st.notifier.version(cred.tenant)
        page = await run_in_threadpool(changes_page, st.db, cred.tenant, after, limit)
    return json_response(page)


@router.post("/v1/mutations", response_model=PushResponse, responses=AUTH_ERRORS)
async def push_mutations(request: Request, body: PushRequest, cred: Kiosk) -> Response:
    """Apply the kiosk's queued actions in order, each at most once.

    A mutation id seen before gets its original answer (``replayed: true``)."""
    st = server_state(request)
    results: list[MutationResult] = []
    for kind, run in groupby(body.mutations, key=lambda m: m.kind):
        mutations = list(run)
        if kind == "book":
            # with the book mutations of every other request arriving meanwhile, in one
            # transaction (sync/server/group_commit.py); this request's stay in order
            results += await st.book_writer.submit(cred, mutations)
        else:  # cancellations are rare: one transaction each, off the event loop
            for m in mutations:
                results.append(await run_in_threadpool(st.bookings.apply, cred, m))
    # serialised once here; FastAPI would validate the model again on the way out
    return Response(PushResponse(results=results).model_dump_json(), media_type="application/json")

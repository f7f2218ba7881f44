"""Staff calls over HTTP (see ``sync.server.staff_calls`` and docs/assisted.md).

    POST /v1/staff-calls                          kiosk: raise a call (idempotent by call_id)
    GET  /v1/staff-calls/{call_id}                kiosk: how its own call stands
    POST /v1/staff-calls/{call_id}/cancel         kiosk: the person no longer needs help
    POST /v1/staff-calls/{call_id}/left           kiosk: the person's session ended, call still open
    GET  /v1/staff/calls[?wait=25&known=ETAG]     staff: the open calls (long-poll for news)
    GET  /v1/staff/calls/events                   staff: the same, pushed (api_call_events.py)
    POST /v1/staff/calls/{call_id}/acknowledge    staff: on my way
    POST /v1/staff/calls/{call_id}/close          staff: done

Every query is scoped by the caller's tenant: another city's call does not exist (404).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..protocol import ErrorOut
from .api_sync import SAFETY_RECHECK_SECONDS, json_response
from .auth import AUTH_ERRORS, Kiosk, Staff
from .clock import server_now
from .staff_calls import CallConflict, StaffCallIn, StaffCallOut, StaffCallStore
from .state import server_state

router = APIRouter(tags=["staff calls"])

CallIdPath = Annotated[str, Path(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
NOT_FOUND = {404: {"model": ErrorOut, "description": "no such call in this city (or not this kiosk's)"}}


def _store(request: Request) -> StaffCallStore:
    return StaffCallStore(server_state(request).db)


def _changed(request: Request, tenant: str) -> None:
    server_state(request).notifier.bump(tenant)  # wakes staff consoles waiting on the list


@router.post(
    "/v1/staff-calls", status_code=201, response_model=StaffCallOut,
    responses={**AUTH_ERRORS, 200: {"model": StaffCallOut, "description": "the same call again (a retry)"},
               409: {"model": ErrorOut, "description": "the call id is another kiosk's"}},
)
def raise_call(request: Request, body: StaffCallIn, cred: Kiosk) -> Response:
    """A person asks for help at this kiosk. ``call_id`` is made up by the kiosk: sending
    it again (a retry, a queued call sent late, a second tap) answers the same call."""
    try:
        raised = _store(request).raise_call(cred.tenant, cred.id, cred.name, body, server_now())
    except CallConflict as exc:
        raise HTTPException(409, str(exc)) from None
    if raised.created:
        _changed(request, cred.tenant)
    return json_response(raised.call, 201 if raised.created else 200)


@router.get("/v1/staff-calls/{call_id}", response_model=StaffCallOut, responses={**AUTH_ERRORS, **NOT_FOUND})
def get_own_call(request: Request, cred: Kiosk, call_id: CallIdPath) -> Response:
    call = _store(request).get(cred.tenant, call_id, cred.id)
    if call is None:
        raise HTTPException(404, "no such call")
    return json_response(call)


@router.post("/v1/staff-calls/{call_id}/cancel", response_model=StaffCallOut,
             responses={**AUTH_ERRORS, **NOT_FOUND})
def cancel_call(request: Request, cred: Kiosk, call_id: CallIdPath) -> Response:
    """The person no longer needs help. A call already closed stays closed."""
    call = _store(request).cancel(cred.tenant, call_id, cred.id, server_now())
    if call is None:
        raise HTTPException(404, "no such call")
    _changed(request, cred.tenant)
    return json_response(call)


@router.post("/v1/staff-calls/{call_id}/left", response_model=StaffCallOut,
             responses={**AUTH_ERRORS, **NOT_FOUND})
def left_call(request: Request, cred: Kiosk, call_id: CallIdPath) -> Response:
    """The person's session ended (finished, or wiped after inactivity) while the call was
    open: nobody waits at the kiosk. Idempotent; a call already over stays as it was."""
    call = _store(request).left(cred.tenant, call_id, cred.id, server_now())
    if call is None:
        raise HTTPException(404, "no such call")
    _changed(request, cred.tenant)
    return json_response(call)


def calls_etag(calls: list[dict]) -> str:
    return hashlib.sha256(json.dumps(calls, sort_keys=True).encode()).hexdigest()[:20]


@router.get("/v1/staff/calls", response_model=list[StaffCallOut], responses=AUTH_ERRORS)
async def list_calls(
    request: Request, cred: Staff,
    include_closed: bool = False,
    recent_s: Annotated[int, Query(ge=0, le=3600, description="also the calls ended this many seconds ago")] = 0,
    wait: Annotated[float, Query(ge=0, le=30, description="long-poll: seconds to wait for news")] = 0,
    known: Annotated[str, Query(max_length=40, pattern=r"^[0-9a-f]*$",
                                description="the ETag of the list the console shows")] = "",
) -> Response:
    """The city's calls, oldest first (open and acknowledged ones unless ``include_closed``;
    with ``recent_s`` also those that ended that recently, as the event stream sends them).

    The answer's ``ETag`` header names the list; with ``known=<that ETag>`` and ``wait``
    the answer comes as soon as the list changes, or after ``wait`` seconds unchanged."""
    st = server_state(request)
    store = StaffCallStore(st.db)
    version = st.notifier.version(cred.tenant)
    def read() -> list[dict]:  # recent_s: what a console shows (the SSE stream's list)
        ended_after = server_now() - timedelta(seconds=recent_s) if recent_s else None
        return store.list(cred.tenant, include_closed, ended_after)

    calls = await run_in_threadpool(read)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while known and calls_etag(calls) == known and (remaining := deadline - loop.time()) > 0:
        await st.notifier.wait(cred.tenant, version, min(SAFETY_RECHECK_SECONDS, remaining))
        version = st.notifier.version(cred.tenant)
        calls = await run_in_threadpool(read)
    response = json_response(calls)
    response.headers["ETag"] = calls_etag(calls)
    return response


@router.post("/v1/staff/calls/{call_id}/acknowledge", response_model=StaffCallOut,
             responses={**AUTH_ERRORS, **NOT_FOUND})
def acknowledge_call(request: Request, cred: Staff, call_id: CallIdPath) -> Response:
    """A staff member is on their way (the kiosk tells the person)."""
    call = _store(request).acknowledge(cred.tenant, call_id, cred.name, server_now())
    if call is None:
        raise HTTPException(404, "no such call")
    _changed(request, cred.tenant)
    return json_response(call)


@router.post("/v1/staff/calls/{call_id}/close", response_model=StaffCallOut,
             responses={**AUTH_ERRORS, **NOT_FOUND})
def close_call(request: Request, cred: Staff, call_id: CallIdPath) -> Response:
    call = _store(request).close(cred.tenant, call_id, cred.name, server_now())
    if call is None:
        raise HTTPException(404, "no such call")
    _changed(request, cred.tenant)
    return json_response(call)

"""Staff API: the follow-up list of offline bookings the server refused."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..protocol import ErrorOut, FollowUp, ResolveFollowUp
from .api_sync import json_response
from .auth import AUTH_ERRORS, Staff
from .clock import server_now
from .feed import followups, resolve_followup
from .state import server_state

router = APIRouter(tags=["staff"])


@router.get("/v1/staff/followups", response_model=list[FollowUp], responses=AUTH_ERRORS)
async def get_followups(request: Request, cred: Staff, include_resolved: bool = False) -> Response:
    """Offline bookings the server refused: staff contact the person."""
    db = server_state(request).db
    return json_response(await run_in_threadpool(followups, db, cred.tenant, include_resolved))


@router.post("/v1/staff/followups/{followup_id}/resolve", status_code=204,
             responses={**AUTH_ERRORS, 404: {"model": ErrorOut}})
def post_resolve(
    request: Request, cred: Staff, body: ResolveFollowUp,
    followup_id: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    if not resolve_followup(server_state(request).db, cred.tenant, followup_id, body.resolution, server_now()):
        raise HTTPException(404, "no open follow-up with this id")
    return Response(status_code=204)

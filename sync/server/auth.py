"""Who is calling: FastAPI dependencies for every router of the server.

A router (sync, staff, and those other parts add: payments, identity) declares its
caller with one of the annotated types below; the token's credential fixes the tenant,
and every query must be scoped by ``cred.tenant`` and nothing the client sends.

    from sync.server.auth import Kiosk, Staff

    @router.get("/v1/staff/things")
    def things(cred: Staff, request: Request): ...   # request.app.state.db, ...

401: no token or an unknown one; 403: a revoked credential or the wrong role.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..protocol import ErrorOut
from .tenants import Credential

bearer = HTTPBearer(auto_error=False, description="A kiosk or staff token issued by `enrol`.")
AUTH_ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}}


async def check_token(request: Request, token: str | None) -> Credential:
    """The live credential of ``token``, or the HTTPException to answer.

    Async, and the database is read (in a worker thread) only when the short-lived
    cache misses: a sync dependency would cost every request a thread hop."""
    if not token:
        raise HTTPException(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    credentials = request.app.state.credentials
    found, cred = credentials.cached(token)
    if not found:
        cred = await run_in_threadpool(credentials.lookup, token)
    if cred is None:
        raise HTTPException(401, "unknown token", headers={"WWW-Authenticate": "Bearer"})
    if cred.revoked:
        raise HTTPException(403, "revoked credential")
    return cred


async def authenticated(request: Request,
                        auth: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Credential:
    return await check_token(request, auth.credentials if auth else None)


async def kiosk(cred: Annotated[Credential, Depends(authenticated)]) -> Credential:
    if cred.role != "kiosk":
        raise HTTPException(403, "kiosk credential required")
    return cred


async def staff(cred: Annotated[Credential, Depends(authenticated)]) -> Credential:
    if cred.role != "staff":
        raise HTTPException(403, "staff credential required")
    return cred


Anyone = Annotated[Credential, Depends(authenticated)]
Kiosk = Annotated[Credential, Depends(kiosk)]
Staff = Annotated[Credential, Depends(staff)]

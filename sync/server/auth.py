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
from fastapi.security import HTTPBearer

from ..protocol import ErrorOut
from .tenants import Credential

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


class BearerCredential(HTTPBearer):
    """The caller's credential, of ``role`` (None: either role), as ONE dependency.

    Being an ``HTTPBearer`` it still names the bearer scheme in the spec. One dependency
    rather than a chain (bearer -> credential -> role) because FastAPI resolves every
    link of a chain anew on every request: on the kiosks' hot path (a rush of pushes)
    that was a tenth of the server's time."""

    def __init__(self, role: str | None) -> None:
        super().__init__(auto_error=False, scheme_name="HTTPBearer",
                         description="A kiosk or staff token issued by `enrol`.")
        self.role = role

    async def __call__(self, request: Request) -> Credential:  # type: ignore[override]
        bearer = await super().__call__(request)
        cred = await check_token(request, bearer.credentials if bearer else None)
        if self.role is not None and cred.role != self.role:
            raise HTTPException(403, f"{self.role} credential required")
        return cred


authenticated = BearerCredential(None)
kiosk = BearerCredential("kiosk")
staff = BearerCredential("staff")

Anyone = Annotated[Credential, Depends(authenticated)]
Kiosk = Annotated[Credential, Depends(kiosk)]
Staff = Annotated[Credential, Depends(staff)]

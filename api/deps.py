"""Dependencies and their Annotated aliases: the open snapshot and the authenticated caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader

from api.reader import Snapshot, SnapshotReader
from api.security import CAN_READ_AUDIT, Caller, KeyStore

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="API key; roles handler, auditor, admin")


# Async on purpose: neither does blocking work worth a thread hop (a stat, rarely a file open).
async def get_snapshot(request: Request) -> Snapshot:
    reader: SnapshotReader = request.app.state.reader
    return reader.get()


async def get_caller(request: Request,
                     key: Annotated[str | None, Security(api_key_header)]) -> Caller:
    store: KeyStore = request.app.state.keys
    caller = store.authenticate(key)  # KeyConfigError: a 503 (errors.py)
    if caller is None:
        raise HTTPException(401, "missing or invalid API key (header X-API-Key)",
                            headers={"WWW-Authenticate": "APIKey"})
    return caller


async def get_auditor(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if caller.role not in CAN_READ_AUDIT:
        raise HTTPException(403, f"role {caller.role.value!r} may not read audit findings")
    return caller


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
CallerDep = Annotated[Caller, Depends(get_caller)]
AuditorDep = Annotated[Caller, Depends(get_auditor)]

"""Dependencies and their Annotated aliases: the open snapshot, the authenticated caller and
the page size."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, Security
from fastapi.exceptions import RequestValidationError
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


async def get_page_size(request: Request, limit: Annotated[int | None, Query(
        ge=1, description="page size (default and maximum: the service's settings "
        "`page_size_default`, 50, and `page_size_max`, 500)")] = None) -> int:
    # bounded here, at request time, by the app's settings (not when the module is imported)
    settings = request.app.state.settings
    if limit is not None and limit > settings.page_size_max:
        raise RequestValidationError([{
            "type": "less_than_equal", "loc": ("query", "limit"), "input": limit,
            "msg": f"Input should be less than or equal to {settings.page_size_max}",
            "ctx": {"le": settings.page_size_max}}])
    return limit or settings.page_size_default


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
CallerDep = Annotated[Caller, Depends(get_caller)]
AuditorDep = Annotated[Caller, Depends(get_auditor)]
PageSizeDep = Annotated[int, Depends(get_page_size)]

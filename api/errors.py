"""Every error is JSON: `{"error": code, "message": text}` (plus `details` for 422)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.reader import NoSnapshotError
from api.security import KeyConfigError
from api.ui.web import is_page, page_for

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 422: "invalid_request", 503: "no_snapshot"}


def error_response(status: int, message: str, details: list | None = None,
                   headers: dict | None = None, code: str | None = None) -> JSONResponse:
    body: dict = {"error": code or CODES.get(status, "error"), "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse(body, status_code=status, headers=headers)


def _readable(errors: list[dict]) -> str:
    parts = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("path", "query"))
        parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


def _page_error(request: Request, status: int, message: str):
    return page_for(request).error(status, message)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if is_page(request):
            return _page_error(request, exc.status_code, str(exc.detail))
        return error_response(exc.status_code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        if is_page(request):
            return _page_error(request, 422, _readable(exc.errors()))
        details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
                   for e in exc.errors()]
        return error_response(422, _readable(exc.errors()), details)

    @app.exception_handler(NoSnapshotError)
    async def _no_snapshot(request: Request, exc: NoSnapshotError):
        if is_page(request):
            from api.ui.routes import no_snapshot_page

            return no_snapshot_page(request, exc)
        return error_response(503, f"no serving snapshot available: {exc}")

    @app.exception_handler(KeyConfigError)
    async def _keys_unusable(_: Request, exc: KeyConfigError) -> JSONResponse:
        return error_response(503, f"the API keys file is unusable and no earlier version of "
                                   f"it was: {exc}", code="keys_unavailable")

    @app.exception_handler(Exception)
    async def _internal(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, f"internal error: {type(exc).__name__}")

"""The people's pages, served by the API's own app under `/ui`: a handler's ticket page and
an auditor's workbench, with every browser asset served from this machine (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse
from starlette.staticfiles import StaticFiles

from api.ui.session import Sessions, session_secret
from api.ui.web import PREFIX
from complaint_trace.settings import WEB_ASSETS_DIR

STATIC_DIR = Path(__file__).parent / "static"

# The browser libraries the pages load, by the name they load them under: files of the npm
# packages `make install` put in web/node_modules (web/package.json pins their versions).
VENDOR_FILES = {
    "echarts.min.js": "echarts/dist/echarts.min.js",
    "redoc.standalone.js": "redoc/bundles/redoc.standalone.js",
}


def vendor_path(name: str) -> Path:
    path = WEB_ASSETS_DIR / VENDOR_FILES[name]
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `make install` (npm ci --prefix web)")
    return path


def install(app: FastAPI) -> None:
    from api.ui.routes import router

    settings = app.state.settings
    app.state.ui_sessions = Sessions(
        session_secret(settings.ui_session_secret_path), app.state.keys,
        round(settings.ui_session_hours * 3600), settings.ui_cookie_secure)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="ui-static")

    @app.get(f"{PREFIX}/vendor/{{name}}", include_in_schema=False)
    def vendor(name: str) -> FileResponse:
        if name not in VENDOR_FILES:
            raise HTTPException(404, f"no asset {name}")
        return FileResponse(vendor_path(name), headers={"Cache-Control": "max-age=86400"})

    app.include_router(router)

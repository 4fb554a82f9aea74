"""The trace API: `uvicorn api.main:app` (or `complaint-trace serve`).

Reads the latest published serving snapshot only; never opens the pipeline's warehouse.
"""

from __future__ import annotations

from fastapi import FastAPI

from api import docs_page, errors, ui
from api.reader import SnapshotReader
from api.routes import findings, health, tickets, trace
from api.security import KeyStore
from complaint_trace.settings import Settings, get_settings

DESCRIPTION = """Serves the whole trace of one complaint ticket by its number: customer, SLA
clock, linked cells with KPIs and alarms, one timeline of every record, and audit findings.
Send your key in `X-API-Key`. Roles: `handler` (trace, search; MSISDN masked), `auditor`
(also findings and summaries; masked), `admin` (personal data shown)."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(title="complaint-trace API", version="1", description=DESCRIPTION,
                  docs_url=None, redoc_url=None)  # docs_page serves /docs with no network
    app.state.settings = settings
    app.state.reader = SnapshotReader(settings.snapshots_dir, settings.snapshot_check_seconds,
                                      settings.duckdb_threads)
    app.state.keys = KeyStore(settings.api_keys_path, settings.api_keys)
    errors.install(app)
    docs_page.install(app)
    ui.install(app)
    for module in (trace, tickets, findings, health):
        app.include_router(module.router)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn api.main:app` builds the app from the environment on first access only, so
    # importing this module (tests, the CLI) has no side effects.
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)

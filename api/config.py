"""Settings of the serving side (API and snapshot publishing).

They extend the project's one `Settings` (paths, home) with knobs only the serving layer reads;
same env prefix `COMPLAINT_TRACE_`, so `COMPLAINT_TRACE_API_KEYS=...` works as documented.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINT_TRACE_", extra="ignore")

    api_keys: str | None = None
    """JSON list of `{name, role, sha256}`; when set it replaces the keys file."""
    snapshots_keep: int = 3
    """Published snapshots kept on disk (the newest N; the current one is never deleted)."""
    snapshot_check_seconds: float = 1.0
    """How often a request may look at `CURRENT` for a newer snapshot (0 = every request)."""
    page_size_default: int = 50
    page_size_max: int = 500
    """Bounds of `limit` on the paginated endpoints."""
    duckdb_threads: int = 1
    """DuckDB threads per snapshot connection: a trace is a point lookup, and parallel scan
    tasks only add overhead and fight the other uvicorn workers for the cores."""
    ui_session_hours: float = 8.0
    """How long a page session lasts after signing in (one shift); then the login page."""
    ui_cookie_secure: bool = False
    """Mark the session cookie `Secure` (only sent over HTTPS): set it when a TLS proxy
    fronts the service; plain HTTP on an internal network needs it off."""
    ui_page_size: int = 50
    """Findings per page of the auditors' drill-down list."""

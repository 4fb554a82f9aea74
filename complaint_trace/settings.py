"""The one settings object. Every value can come from the environment
(`COMPLAINT_TRACE_<NAME>`) and every CLI option that overrides a setting has its name.

The environment is read once, where a process starts (a CLI command, `dagster dev`'s code
location, `uvicorn api.main:app`); from there the values travel as objects: the Dagster
resources are built from a `Settings` (`orchestration.resources.build_resources`) and a step
gets its settings back from its resource (`PipelineConfig.settings`), never from the
environment."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
WEB_ASSETS_DIR = REPO_ROOT / "web" / "node_modules"
"""The pages' browser libraries, installed from the npm registry by `make install`."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINT_TRACE_", extra="ignore")

    home: Path = Path("./.complaint-trace")
    """Holds the warehouse, the serving snapshots, DAGSTER_HOME and the data docs."""
    landing: Path | None = None
    """Landing root (one folder per source system); default `<home>/landing`."""
    source_tz: str = "Asia/Shanghai"
    """Zone in which naive source timestamps are read (data contract: Delivery)."""
    as_of: datetime | None = None
    """Audit as-of time; default: now. Naive values are read as UTC."""
    api_keys_file: Path | None = None
    """JSON file of API keys (hashed); default `<home>/api_keys.json`."""
    duckdb_memory_limit: str = "8GB"
    """DuckDB's memory cap in the pipeline (its connections and dbt's); beyond it, joins and
    sorts spill to `<home>/tmp`. DuckDB's own default, 80 % of RAM, leaves nothing for the
    other steps and let one catch-up build peak at 20 GB."""
    duckdb_max_temp_size: str = "100GB"
    """How much DuckDB may spill to `<home>/tmp` before a query fails (a clear error rather
    than a full disk)."""
    dbt_runs_kept: int = 3
    """How many runs' dbt artefacts (manifest, run results, dbt.log) stay under
    `<home>/dbt/runs`; older ones are removed at the start of each dbt step."""
    delivery_minutes: int = 1440
    """How often ticketing and CRM deliver (15, 30, 60 or 1440 minutes; network operations
    hourly, or daily when the others are): how a slot file's name `<date>-<hhmm>` is read, so
    the sensor can give each run the as-of of its delivery (complaint_trace/delivery.py)."""
    sensor_interval_seconds: int = 10
    """How often the landing sensor looks for new files (in `dagster dev`): the most a
    delivery waits before its run starts (a delivery is served within a minute, #14)."""
    pipeline_niceness: int = Field(default=10, ge=0, le=19)
    """The CPU priority of a run's processes (Unix niceness; dbt inherits it): lower than the
    API's, so handlers' lookups stay fast while a run uses every core. 0 keeps the
    priority the run was started with."""
    schedule_cron: str = "0 2 * * *"
    """The daily run, in `source_tz` (02:00: after the sources' nightly deliveries)."""
    snapshots_keep: int = 3
    """Published snapshots kept on disk (the newest N; the current one is never deleted)."""

    # --- the API service (`api/`) --------------------------------------------------------
    api_keys: str | None = None
    """JSON list of `{name, role, sha256}`; when set it replaces the keys file."""
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

    @field_validator("source_tz")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def home_dir(self) -> Path:
        return self.home.expanduser().resolve()

    @property
    def landing_dir(self) -> Path:
        return (self.landing or self.home_dir / "landing").expanduser().resolve()

    @property
    def warehouse_path(self) -> Path:
        return self.home_dir / "warehouse.duckdb"

    @property
    def duckdb_temp_dir(self) -> Path:
        return self.home_dir / "tmp"

    @property
    def snapshots_dir(self) -> Path:
        return self.home_dir / "snapshots"

    @property
    def dbt_runs_dir(self) -> Path:
        return self.home_dir / "dbt" / "runs"

    @property
    def dagster_home(self) -> Path:
        return self.home_dir / "dagster"

    @property
    def data_docs_dir(self) -> Path:
        return self.home_dir / "data_docs"

    @property
    def api_keys_path(self) -> Path:
        return (self.api_keys_file or self.home_dir / "api_keys.json").expanduser().resolve()

    @property
    def ui_session_secret_path(self) -> Path:
        """The secret that signs page session cookies (made on the service's first start)."""
        return self.home_dir / "ui_session.key"

    @cached_property
    def as_of_utc(self) -> datetime:
        """The as-of time as a naive UTC datetime (the warehouse stores naive UTC)."""
        moment = self.as_of or datetime.now(UTC)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment.replace(microsecond=0)


def get_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit (CLI) overrides that are not None."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


class _GivenSettings(Settings):
    """Settings from the values given and the defaults, the environment left out."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **environment):
        return (init_settings,)


def settings_from(**values) -> Settings:
    """Settings of exactly these values (validated) and the defaults, never the environment:
    how a step rebuilds the settings its resources were made from."""
    return _GivenSettings(**values)

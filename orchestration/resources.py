"""Resources every asset shares, by key (docs/architecture.md): `warehouse`, `pipeline` and
`dbt`, all built from one `Settings` (`build_resources`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from complaint_trace.process_priority import lower_cpu_priority
from complaint_trace.run_lock import run_lock
from complaint_trace.settings import Settings, settings_from
from orchestration.dbt_project import dbt_resource


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (`Settings.warehouse_path`). A run holds the run lock of the
    warehouse's home while it executes (complaint_trace/run_lock.py), however it was launched:
    the CLI, the UI, the sensor or the schedule; every step uses this resource."""

    path: str = Field(description="DuckDB file of the warehouse.")
    lock_timeout_s: float = Field(
        default=300.0,
        description="How long to wait for another process holding the DuckDB write lock "
        "(a UI-launched run with the multiprocess executor) before failing.",
    )
    memory_limit: str = Field(default="", description="DuckDB memory_limit ('' = DuckDB's).")
    temp_directory: str = Field(default="", description="Where DuckDB spills ('' = DuckDB's).")
    max_temp_directory_size: str = Field(default="", description="Spill cap ('' = DuckDB's).")

    _lock: ExitStack | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._lock = ExitStack()
        self._lock.enter_context(run_lock(Path(self.path).parent, context.run_id or "unknown"))

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._lock is not None:
            self._lock.close()

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for the duration of the block; waits while another process writes."""
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        while True:
            try:
                con = duckdb.connect(self.path, read_only=read_only)
                break
            except duckdb.IOException as exc:
                # DuckDB allows one writing process per file; wait for it rather than fail.
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        # Progress bars would interleave with the run's logs.
        con.execute("set enable_progress_bar = false")
        for setting, value in (("memory_limit", self.memory_limit),
                               ("temp_directory", self.temp_directory),
                               ("max_temp_directory_size", self.max_temp_directory_size)):
            if value:
                try:
                    con.execute(f"set {setting} = ?", [value])
                except duckdb.NotImplementedException:
                    # the temp directory of a database instance this process already had
                    # open and spilled to cannot be switched; it stays as it was set then
                    pass
        try:
            yield con
        finally:
            con.close()


class PipelineConfig(dg.ConfigurableResource):
    """Where the landing root is, how to read its timestamps, the audit as-of time, and the
    settings the steps read (`settings()`)."""

    home: str = Field(description="Home directory (warehouse, snapshots, DAGSTER_HOME).")
    landing: str = Field(description="Landing root: one folder per source system.")
    source_tz: str = Field(default="Asia/Shanghai",
                           description="Zone in which naive source timestamps are read.")
    as_of: str = Field(default="", description="UTC 'YYYY-MM-DD HH:MM:SS'; empty = now.")
    delivery_minutes: int = Field(default=1440, description=(
        "How often ticketing and CRM deliver, in minutes (names `<date>-<hhmm>`)."))
    dbt_runs_kept: int = Field(default=3, description="Runs' dbt artefacts kept.")
    snapshots_keep: int = Field(default=3, description="Published snapshots kept on disk.")
    pipeline_niceness: int = Field(default=10, description=(
        "CPU niceness of the run's processes: below the API's priority (0: unchanged)."))

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # in each process that runs steps, before any step: dbt and DuckDB inherit it
        lower_cpu_priority(self.pipeline_niceness)

    def settings(self) -> Settings:
        """The settings of this run: this resource's values, never the environment."""
        return settings_from(home=self.home, landing=self.landing, source_tz=self.source_tz,
                             as_of=self.as_of or None, delivery_minutes=self.delivery_minutes,
                             dbt_runs_kept=self.dbt_runs_kept,
                             snapshots_keep=self.snapshots_keep,
                             pipeline_niceness=self.pipeline_niceness)

    @property
    def landing_dir(self) -> Path:
        return Path(self.landing)

    def as_of_utc(self) -> datetime:
        """The as-of time as naive UTC (now, to the second, when not configured)."""
        if not self.as_of:
            return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        moment = datetime.fromisoformat(self.as_of)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment

    def as_of_text(self) -> str:
        """The dbt var `as_of`: `'YYYY-MM-DD HH:MM:SS'`, UTC."""
        return self.as_of_utc().strftime("%Y-%m-%d %H:%M:%S")


def build_resources(settings: Settings) -> dict:
    """The resources of `settings` (a run's config may still override their fields)."""
    return {
        "dbt": dbt_resource(),
        "warehouse": WarehouseResource(path=str(settings.warehouse_path),
                                       memory_limit=settings.duckdb_memory_limit,
                                       temp_directory=str(settings.duckdb_temp_dir),
                                       max_temp_directory_size=settings.duckdb_max_temp_size),
        "pipeline": PipelineConfig(
            home=str(settings.home_dir),
            landing=str(settings.landing_dir),
            source_tz=settings.source_tz,
            as_of=settings.as_of_utc.strftime("%Y-%m-%d %H:%M:%S") if settings.as_of else "",
            delivery_minutes=settings.delivery_minutes,
            dbt_runs_kept=settings.dbt_runs_kept,
            snapshots_keep=settings.snapshots_keep,
            pipeline_niceness=settings.pipeline_niceness,
        ),
    }

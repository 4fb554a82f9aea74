"""Jobs. One job materialises the whole graph: landing -> raw -> dbt -> audit -> snapshot."""

from __future__ import annotations

import dagster as dg

# In process: DuckDB admits one writing process per file, and every step writes the warehouse,
# so parallel step processes would only queue on its lock.
complaint_trace_job = dg.define_asset_job(
    name="complaint_trace_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every landing feed, build the dbt models, audit, publish the snapshot.",
    executor_def=dg.in_process_executor,
)


def as_of_run_config(as_of: str) -> dict:
    """Run config that fixes the as-of time (UTC 'YYYY-MM-DD HH:MM:SS') for every step."""
    return {"resources": {"pipeline": {"config": {"as_of": as_of}}}}

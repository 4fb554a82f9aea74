"""Jobs. One job materialises the whole graph: landing -> raw -> dbt -> audit -> snapshot."""

from __future__ import annotations

import dagster as dg

complaint_trace_job = dg.define_asset_job(
    name="complaint_trace_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every landing feed, build the dbt models, audit, publish the snapshot.",
)

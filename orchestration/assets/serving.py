"""The serving snapshot: the last step of a run, after the marts and the audit.

Blocking asset checks on the upstream assets (dbt tests, the audit's integrity suite) stop this
asset from running when they fail, so a snapshot is only ever published from a run whose
blocking checks passed; the API keeps serving the previous one meanwhile.
"""

import dagster as dg

from orchestration.resources import PipelineConfig, WarehouseResource
from serving.documents import DOCUMENT_SOURCES
from serving.network import NETWORK_SOURCES
from serving.publish import SERVED_TABLES, publish_snapshot


def _asset_key(table: str) -> dg.AssetKey:
    """The asset that builds a warehouse table: a dbt model or seed (`main.<name>`), or one of
    the audit layer's (`audit.<name>`)."""
    schema, name = table.split(".")
    return dg.AssetKey(["audit", name] if schema == "audit" else [name])


# every table the publisher reads: what it copies and what documents are built from
UPSTREAM = sorted({_asset_key(table) for table in (
    *(served.name for served in SERVED_TABLES), *DOCUMENT_SOURCES, *NETWORK_SOURCES)},
    key=lambda key: key.to_user_string())


@dg.asset(key=["serving", "snapshot"], deps=UPSTREAM, group_name="serving",
          kinds={"duckdb"})
def serving_snapshot(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                     pipeline: PipelineConfig) -> dg.MaterializeResult:
    """Immutable read-only copy of the serving tables (marts, audit findings and rollup, the
    alarms and customers a trace shows) in a new DuckDB file under `<home>/snapshots`, then an
    atomic switch of `CURRENT`; the API picks it up without a restart."""
    settings = pipeline.settings()
    # The pipeline is the only writer and its earlier steps are done; a read-write connection
    # avoids DuckDB's "same file, different configuration" error inside one process.
    with warehouse.connect() as con:
        published = publish_snapshot(con, settings.snapshots_dir, run_id=context.run.run_id,
                                     as_of=pipeline.as_of_utc(),
                                     keep=settings.snapshots_keep)
    context.log.info(f"published {published.path.name} and switched CURRENT to it; "
                     f"{published.documents_built} trace documents built, the other "
                     f"{published.row_counts['main.trace_documents'] - published.documents_built}"
                     " carried over unchanged")
    return dg.MaterializeResult(metadata={
        "snapshot": dg.MetadataValue.path(str(published.path)),
        "snapshot_version": published.version,
        "as_of": pipeline.as_of_text(),
        "tables": len(SERVED_TABLES),
        "documents_built": published.documents_built,
        **{f"rows {name}": count for name, count in published.row_counts.items()},
    })


ASSETS: list = [serving_snapshot]

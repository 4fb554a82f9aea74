"""One Dagster asset per landing folder: a contract entity's or a typed standard feed's files
-> its raw table `raw_<source>.<name>`; a record feed's (TMF621, TMF642, VES) -> the raw tables
of the contract entities it feeds, whose assets it is upstream of.

The work is `connectors.load_entity`; this module only wires resources, metadata and an
asset check that fails (as a warning, so the rest of the graph still runs) while any
delivered file of the folder is in the manifest as `failed`.
"""

import dagster as dg
import duckdb

from complaint_trace.contract import Entity
from complaint_trace.pii import mask_record
from connectors import EntityLoadReport, load_entity, raw_table
from connectors.schema import LINEAGE_COLUMNS, SQL_TYPES
from connectors.standard.feeds import (
    RAW_TABLE_FOLDERS,
    RECORD_FEEDS,
    STANDARD_FEEDS,
    feeds_into,
    target_entities,
)
from orchestration.resources import PipelineConfig, WarehouseResource

FILES_CHECK = "all_files_loaded"
PREVIEW_ROWS = 5


def _markdown(columns: list[str], rows: list[tuple]) -> str:
    def cell(value: object) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _preview(con: duckdb.DuckDBPyConnection, entity: Entity, run_id: str) -> str:
    """The run's first rows as a table (of each raw table the folder feeds), personal data
    masked as the API masks it for everyone below admin: Dagster keeps this in its run
    storage and shows it to every UI user."""
    tables = []
    for target in target_entities(entity):
        cursor = con.execute(
            f"select * exclude (_loaded_at, _run_id) from {raw_table(target)} "
            f"where _run_id = ? and _source_file like ? order by _source_file, _source_row "
            f"limit {PREVIEW_ROWS}", [run_id, f"{entity.path}/%"])
        columns = [d[0] for d in cursor.description]
        rows = [mask_record(dict(zip(columns, row, strict=True))) for row in cursor.fetchall()]
        tables.append(_markdown(columns, [tuple(row.values()) for row in rows]))
    return "\n\n".join(tables)


def _table_rows(con: duckdb.DuckDBPyConnection, entity: Entity) -> int:
    """The rows of the folder's raw table; of a record feed, those its files hold in the raw
    tables it feeds."""
    if entity not in RECORD_FEEDS:
        return con.execute(f"select count(*) from {raw_table(entity)}").fetchone()[0]
    return sum(con.execute(f"select count(*) from {raw_table(target)} where _source_file like ?",
                           [f"{entity.path}/%"]).fetchone()[0]
               for target in target_entities(entity))


def _files_not_loaded(con: duckdb.DuckDBPyConnection, entity: Entity
                      ) -> list[tuple[str, str, str]]:
    """(file, status, error or note) of each file of the folder that failed as a whole or was
    deleted from the landing after its load."""
    return con.execute(
        "select file, status, coalesce(error, notes) from raw_meta.file_manifest "
        "where entity = ? and status in ('failed', 'missing') order by file",
        [entity.path]).fetchall()


def _metadata(report: EntityLoadReport, table: str, table_rows: int, preview: str) -> dict:
    processed = [f for f in report.files if f.status != "skipped"]
    return {
        "files": dg.MetadataValue.md(_markdown(
            ["file", "status", "read", "loaded", "quarantined", "error / notes"],
            [(f.file, f.status, f.rows_read, f.rows_loaded, f.rows_quarantined,
              f.error or f.notes) for f in processed])),
        "files_loaded": len(report.loaded),
        "files_failed": len(report.failed),
        "files_skipped_unchanged": len(report.skipped),
        "files_duplicate": len(report.duplicates),
        "files_missing": len(report.missing),
        "rows_read": report.rows_read,
        "rows_loaded": report.rows_loaded,
        "rows_quarantined": report.rows_quarantined,
        "dagster/row_count": table_rows,
        "dagster/table_name": table,
        "preview": dg.MetadataValue.md(preview),
    }


def _column_schema(entity: Entity) -> dg.TableSchema:
    return dg.TableSchema(columns=[
        *(dg.TableColumn(c.name, SQL_TYPES[c.type],
                         constraints=dg.TableColumnConstraints(nullable=not c.required))
          for c in entity.columns),
        *(dg.TableColumn(name, sql_type) for name, sql_type in LINEAGE_COLUMNS),
    ])


def _table_names(entity: Entity) -> str:
    return ", ".join(raw_table(t) for t in target_entities(entity))


def _description(entity: Entity) -> str:
    if entity in RECORD_FEEDS:
        into = ", ".join(f"`{t.path}`" for t in RECORD_FEEDS[entity])
        return (
            f"Records of the landing folder `{entity.path}/` (a standard feed, "
            f"docs/spec/standard-feeds.md) as rows of {into}, checked by the contract's rules "
            f"for each; rows that break them go to `raw_meta.quarantine`. Tables "
            f"{_table_names(entity)}, beside the contract's own files.")
    columns = ", ".join(f"{c.name} ({c.type}{', required' if c.required else ''})"
                        for c in entity.columns)
    kind = ("a standard feed (docs/spec/standard-feeds.md)" if entity in STANDARD_FEEDS
            else "data contract v1")
    feeds = "".join(f"; the standard feed `{feed.path}` adds rows" for feed in feeds_into(entity))
    return (
        f"Raw `{entity.path}` rows from the landing folder `{entity.path}/` "
        f"({kind}), validated; rows that break the contract go to "
        f"`raw_meta.quarantine`. Table `{raw_table(entity)}`; columns: {columns}; "
        f"plus _source_file, _source_row, _loaded_at, _run_id{feeds}."
    )


def _asset_key(entity: Entity) -> dg.AssetKey:
    return dg.AssetKey([entity.source, entity.name])


def build_entity_asset(entity: Entity) -> dg.AssetsDefinition:
    """The asset `[source, name]` of a landing folder, in group `source`; a contract entity's
    asset is downstream of the record feeds that add rows to its table."""
    key = _asset_key(entity)
    metadata = {"dagster/table_name": _table_names(entity)}
    if entity not in RECORD_FEEDS:
        metadata["dagster/column_schema"] = _column_schema(entity)

    @dg.asset(
        key=key,
        group_name=entity.source,
        description=_description(entity),
        kinds={"duckdb"},
        deps=[_asset_key(feed) for feed in feeds_into(entity)],
        metadata=metadata,
        check_specs=[dg.AssetCheckSpec(
            FILES_CHECK, asset=key,
            description="Every delivered file of this folder loaded: none failed as a whole, "
                        "none deleted from the landing after its load.",
        )],
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, pipeline: PipelineConfig
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            report = load_entity(con, pipeline.landing_dir, entity, pipeline.source_tz,
                                 context.run_id)
            not_loaded = _files_not_loaded(con, entity)
            table_rows = _table_rows(con, entity)
            preview = _preview(con, entity, context.run_id)
        for f in report.failed:
            context.log.error(f"file failed: {f.error}")
        for f in report.missing:
            context.log.warning(f"file missing: {f.file}: {f.notes}")
        context.log.info(
            f"{entity.path}: {len(report.loaded)} file(s) loaded, {len(report.failed)} failed, "
            f"{len(report.duplicates)} duplicate, {len(report.skipped)} unchanged; "
            f"rows read {report.rows_read}, loaded {report.rows_loaded}, "
            f"quarantined {report.rows_quarantined}")
        return dg.MaterializeResult(
            metadata=_metadata(report, _table_names(entity), table_rows, preview),
            check_results=[dg.AssetCheckResult(
                check_name=FILES_CHECK,
                passed=not not_loaded,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={
                    "failed_files": [f"{file} ({status}): {why}"
                                     for file, status, why in not_loaded],
                    "failed_files_table": dg.MetadataValue.md(_markdown(
                        ["file", "status", "error / note"], not_loaded) if not_loaded else "none"),
                },
            )],
        )

    return _ingest


def build_source_assets(source: str) -> list[dg.AssetsDefinition]:
    """The ingestion assets of one source system: its record feeds, its contract entities in
    contract order, then its typed standard feeds."""
    folders = (*RECORD_FEEDS, *RAW_TABLE_FOLDERS)
    return [build_entity_asset(e) for e in folders if e.source == source]

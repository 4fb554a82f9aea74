"""Landing files -> DuckDB raw tables, validated against the data contract. No Dagster here."""

from connectors.columns import FileRejected
from connectors.loader import load_entity, load_source
from connectors.report import EntityLoadReport, FileLoadReport
from connectors.schema import ensure_schema, raw_table

__all__ = [
    "EntityLoadReport",
    "FileLoadReport",
    "FileRejected",
    "ensure_schema",
    "load_entity",
    "load_source",
    "raw_table",
]

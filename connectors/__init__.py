"""Landing files -> DuckDB raw tables, validated against the data contract. No Dagster here.

The names below are imported when first used, so that a process reading feed files (a
prefetch worker) imports only what it reads with, not DuckDB and the loader."""

from __future__ import annotations

import importlib

_EXPORTS = {
    "EntityLoadReport": "connectors.report",
    "FileLoadReport": "connectors.report",
    "FileRejected": "connectors.columns",
    "ensure_schema": "connectors.schema",
    "load_entity": "connectors.loader",
    "load_source": "connectors.loader",
    "raw_table": "connectors.schema",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'connectors' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)

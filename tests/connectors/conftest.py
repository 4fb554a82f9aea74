"""Small hand-written landing files. Files are written with Python's csv/json/pyarrow, so the
expected values never come from the DuckDB code under test."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from complaint_trace.contract import entity
from connectors import EntityLoadReport, load_entity
from tests.connectors.samples import csv_bytes, jsonl_bytes

SOURCE_TZ = "Asia/Shanghai"


@dataclass
class Landing:
    root: Path
    con: duckdb.DuckDBPyConnection

    def write(
        self, rel: str, content: bytes | list[dict], columns: list[str] | None = None
    ) -> Path:
        """Write `content` to `rel` in the format its suffix names (rows or raw bytes)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, list):
            if ".parquet" in rel:
                pq.write_table(pa.Table.from_pylist(content), path)
                return path
            content = jsonl_bytes(content) if ".jsonl" in rel else csv_bytes(content, columns)
        path.write_bytes(gzip.compress(content) if rel.endswith(".gz") else content)
        return path

    def load(self, path: str, run_id: str = "run-1", tz: str = SOURCE_TZ) -> EntityLoadReport:
        return load_entity(self.con, self.root, entity(path), tz, run_id)

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def quarantined(self, path: str) -> list[tuple[str, int]]:
        """(file, row_number) of every quarantined row of the entity."""
        return self.rows("select file, row_number from raw_meta.quarantine where entity = ? "
                         "order by file, row_number", [path])


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield Landing(tmp_path / "landing", con)
    con.close()

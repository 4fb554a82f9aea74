"""Daily files in the formats the contract allows, with bad rows placed, written by DuckDB COPY.

Timestamps arrive as int64 UTC seconds. Text files render them per file in one of three
styles (offset of the source zone, `Z`, or naive local time); Parquet stores them tz-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from complaint_trace.contract import Entity
from complaint_trace.simulator.badrows import Kind, bad_row, choose_positions

FORMATS = ("csv", "jsonl", "parquet", "csv.gz", "jsonl.gz")
TS_STYLES = ("offset", "z", "offset", "naive")
ARROW = {"string": pa.string(), "enum": pa.string(), "double": pa.float64(),
         "integer": pa.int64(), "bigint": pa.int64(), "boolean": pa.bool_()}


@dataclass(frozen=True)
class FileSpec:
    entity: Entity
    path: Path  # absolute
    fmt: str
    ts_style: str


def file_format(entity_index: int, day: int, part: int = 0) -> tuple[str, str]:
    """Format and timestamp style of one daily file: rotates so every mix appears."""
    fmt = FORMATS[(entity_index + day + part) % len(FORMATS)]
    return fmt, TS_STYLES[(entity_index + 2 * day + part) % len(TS_STYLES)]


class TimeRenderer:
    """Renders UTC seconds as ISO 8601 text; the zone offset is looked up once per hour."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def __call__(self, seconds: np.ndarray, style: str) -> np.ndarray:
        if style == "z":
            text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
            return np.char.add(text.astype(object), "Z")
        hours, inverse = np.unique(seconds // 3600, return_inverse=True)
        local = [datetime.fromtimestamp(int(h) * 3600, UTC).astimezone(self.zone) for h in hours]
        offsets = np.array([int(t.utcoffset().total_seconds()) for t in local],
                           dtype=np.int64)[inverse]
        # a naive local time in the hour a daylight-saving zone repeats could mean either
        # instant: such values keep their offset even in a naive-style file
        ambiguous = np.array([t.replace(fold=1 - t.fold).utcoffset() != t.utcoffset()
                              for t in local], dtype=bool)[inverse]
        text = np.datetime_as_string((seconds + offsets).astype("datetime64[s]"), unit="s")
        sign = np.where(offsets < 0, "-", "+").astype(object)
        mins = np.abs(offsets) // 60
        suffix = sign + np.char.zfill((mins // 60).astype(str), 2).astype(object) + ":" + \
            np.char.zfill((mins % 60).astype(str), 2).astype(object)
        if style == "naive":
            return np.where(ambiguous, text.astype(object) + suffix, text.astype(object))
        return text.astype(object) + suffix


def _column(entity: Entity, name: str, good: pa.Array, bad: list, spec: FileSpec,
            render: TimeRenderer) -> pa.Array:
    """One output column: the good values then the bad rows' values, in the file's types."""
    ctype = entity.column(name).type
    text = spec.fmt != "parquet"
    if ctype == "timestamp":
        if not text:
            micros = pc.multiply(good.cast(pa.int64()), 1_000_000)
            typed = pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
            extra = pa.array([None if v is None else v * 1_000_000 for v in bad], pa.int64())
            return pa.concat_arrays([typed, extra.cast(pa.timestamp("us", tz="UTC"))])
        values = good.to_numpy(zero_copy_only=False)
        mask = np.asarray(good.is_null())
        out = np.empty(len(values), dtype=object)
        if (~mask).any():
            out[~mask] = render(values[~mask].astype(np.int64), spec.ts_style)
        out[mask] = None
        stamps = [i for i, v in enumerate(bad) if v is not None and not isinstance(v, str)]
        rendered_bad = list(bad)
        if stamps:  # one vectorised call for all bad rows' real timestamps
            text = render(np.array([bad[i] for i in stamps], dtype=np.int64), spec.ts_style)
            for i, value in zip(stamps, text, strict=True):
                rendered_bad[i] = value
        return pa.concat_arrays([pa.array(out, pa.string()), pa.array(rendered_bad, pa.string())])
    arrow_type = ARROW[ctype]
    good = good.cast(arrow_type)
    if any(isinstance(v, str) for v in bad) and arrow_type != pa.string():
        good = good.cast(pa.string())  # a bad-type row: this file carries the column as text
        bad = [None if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
               for v in bad]
        arrow_type = pa.string()
    return pa.concat_arrays([good, pa.array(bad, arrow_type)])


def build_file(table: pa.Table, spec: FileSpec, kinds: list[Kind], serials: list[int],
               render: TimeRenderer, rng: np.random.Generator
               ) -> tuple[pa.Table, list[int], np.ndarray]:
    """The file's table with bad rows inserted; returns it, their 1-based row numbers, and per
    output row the index of the input row it is (or, for a bad row, copies)."""
    entity = spec.entity
    names = [c.name for c in entity.columns]
    templates = rng.integers(0, table.num_rows, len(kinds)) if kinds else []
    bad_rows = [bad_row(entity.path, kind, table.slice(int(i), 1).to_pylist()[0], s)
                for kind, i, s in zip(kinds, templates, serials, strict=True)]
    columns = [_column(entity, n, table.column(n).combine_chunks(),
                       [r[n] for r in bad_rows], spec, render) for n in names]
    full = pa.table(dict(zip(names, columns, strict=True)))
    n_good = table.num_rows
    positions = choose_positions(n_good, len(bad_rows), rng)
    order = np.empty(n_good + len(bad_rows), dtype=np.int64)
    is_bad = np.zeros(len(order), dtype=bool)
    is_bad[positions] = True
    order[~is_bad] = np.arange(n_good)
    order[positions] = n_good + np.arange(len(bad_rows))
    origin = order.copy()
    origin[positions] = np.asarray(templates, dtype=np.int64)
    return full.take(pa.array(order)), [int(p) + 1 for p in positions], origin


def write(con: duckdb.DuckDBPyConnection, table: pa.Table, spec: FileSpec) -> None:
    spec.path.parent.mkdir(parents=True, exist_ok=True)
    options = {
        "csv": "FORMAT csv, HEADER true", "csv.gz": "FORMAT csv, HEADER true, COMPRESSION gzip",
        "jsonl": "FORMAT json", "jsonl.gz": "FORMAT json, COMPRESSION gzip",
        "parquet": "FORMAT parquet, COMPRESSION zstd",
    }[spec.fmt]
    con.register("sim_out", table)
    try:
        target = str(spec.path).replace("'", "''")
        con.execute(f"COPY sim_out TO '{target}' ({options})")
    finally:
        con.unregister("sim_out")

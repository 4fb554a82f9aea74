"""Read one landing file into the all-VARCHAR staging table `_ct_stage`.

Every format ends the same way, so validation is one SQL statement for all of them:
`_ct_stage` holds `_source_row` (1-based data row of the file) and the file's columns as
VARCHAR; `_ct_malformed` holds rows that could not even be split into columns (a CSV line
with the wrong number of fields, a JSONL line that is not a JSON object) with their reason.
Python only decides which SQL to run; the rows never pass through Python.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field

import duckdb

from complaint_trace.contract import Entity
from connectors.columns import ColumnMap, FileRejected, match_columns
from connectors.files import LandingFile
from connectors.schema import quote

STAGE = "_ct_stage"
MALFORMED = "_ct_malformed"
_REJECTS, _REJECT_SCANS = "_ct_rejects", "_ct_reject_scans"


@dataclass
class StagedFile:
    columns: ColumnMap
    names: list[str]  # the file's column names; stage column i is `c<i>`
    raw_expr: str  # SQL over the stage row aliased `s`: the raw record as JSON text
    notes: list[str] = field(default_factory=list)

    def stage_column(self, contract_column: str) -> str | None:
        """The stage column holding a contract column, None when the file lacks it."""
        name = self.columns.found[contract_column]
        return None if name is None else positional(self.names.index(name))


def positional(index: int) -> str:
    # Stage columns are named by position so no header text (Chinese, `_source_row`, quotes)
    # can collide with the stage's own columns or need quoting.
    return f"c{index}"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json_object(names: list[str]) -> str:
    pairs = ", ".join(f"{literal(n)}, s.{positional(i)}" for i, n in enumerate(names))
    return f"json_object({pairs})"


def drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every temporary table the readers create."""
    for table in (STAGE, MALFORMED, _REJECTS, _REJECT_SCANS, "_ct_read", "_ct_lines"):
        con.execute(f"drop table if exists {table}")


def reset_staging(con: duckdb.DuckDBPyConnection) -> None:
    """No staging tables but an empty `_ct_malformed`: where every reader starts."""
    drop_staging(con)
    con.execute(
        f"create temp table {MALFORMED} (row_number bigint, reason varchar, raw varchar)"
    )


def stage_file(con: duckdb.DuckDBPyConnection, file: LandingFile, entity: Entity) -> StagedFile:
    """Stage `file` for validation; raise `FileRejected` when the file as a whole is unusable."""
    reset_staging(con)
    if file.format == "csv":
        return _stage_csv(con, file, entity)
    if file.format == "jsonl":
        return _stage_jsonl(con, file, entity)
    if file.format == "parquet":
        return _stage_parquet(con, file, entity)
    raise FileRejected(
        f"{file.rel}: not a contract format (.csv, .jsonl, .parquet, optionally .gz)"
    )


def _csv_header(file: LandingFile) -> list[str]:
    """The header row, read with Python's csv module (it is one record, not the data)."""
    opener = gzip.open if file.rel.lower().endswith(".gz") else open
    try:
        with opener(file.path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            header = next(csv.reader(text), None)
    except UnicodeDecodeError as exc:
        raise FileRejected(f"{file.rel}: not UTF-8 text ({exc.reason} in the header)") from exc
    except (OSError, EOFError, csv.Error) as exc:
        raise FileRejected(f"{file.rel}: unreadable CSV header: {exc}") from exc
    return header or []


def _stage_csv(con: duckdb.DuckDBPyConnection, file: LandingFile, entity: Entity) -> StagedFile:
    header = _csv_header(file)
    if not header:
        # The one rule for every format (docs/architecture.md, "Raw layer"): a file with no
        # content is a delivery of no rows, as an empty JSONL file is; there is no column set
        # to check. A header without rows is checked like any header.
        con.execute(f"create temp table {STAGE} (_source_row bigint)")
        empty = ColumnMap({c.name: None for c in entity.columns}, notes=["empty file: no rows"])
        return StagedFile(empty, [], "null", list(empty.notes))
    columns = match_columns(entity, header, file.rel)
    spec = "{" + ", ".join(f"'{positional(i)}': 'VARCHAR'" for i in range(len(header))) + "}"
    # RFC 4180: comma, double quote, quote doubled as escape. store_rejects turns lines with a
    # wrong field count into rows of _ct_rejects (with their record number) instead of an error.
    con.execute(
        f"create temp table _ct_read as select row_number() over () as _ord, * "
        f"from read_csv(?, columns = {spec}, header = true, delim = ',', quote = '\"', "
        f"escape = '\"', auto_detect = false, compression = 'auto', store_rejects = true, "
        f"rejects_table = '{_REJECTS}', rejects_scan = '{_REJECT_SCANS}')",
        [str(file.path)],
    )
    bad_encoding = con.execute(
        f"select min(line) - 1 from {_REJECTS} where error_type = 'INVALID ENCODING'"
    ).fetchone()[0]
    if bad_encoding is not None:
        raise FileRejected(f"{file.rel}: not UTF-8 text (first bad data row {bad_encoding})")
    # `line` of a reject counts records (header = 1), so data row = line - 1. Good rows keep
    # file order; they take the row numbers the rejected records do not use.
    con.execute(
        f"insert into {MALFORMED} select line - 1, 'malformed CSV record (' || "
        f"string_agg(distinct lower(error_type), ', ') || '): ' || "
        f"arg_min(error_message, column_idx), json_object('csv_line', any_value(csv_line)) "
        f"from {_REJECTS} group by line"
    )
    if con.execute(f"select count(*) from {MALFORMED}").fetchone()[0]:
        con.execute(
            f"create temp table {STAGE} as "
            f"with bad as (select row_number as n from {MALFORMED}), "
            f"slots as (select n, row_number() over (order by n) as k from range(1, "
            f"(select count(*) from _ct_read) + (select count(*) from bad) + 1) as t(n) "
            f"where n not in (select n from bad)) "
            f"select slots.n as _source_row, r.* exclude (_ord) "
            f"from _ct_read as r join slots on slots.k = r._ord"
        )
        con.execute("drop table _ct_read")
    else:
        # The common case: record order is row order. Rename rather than copy the rows.
        con.execute("alter table _ct_read rename column _ord to _source_row")
        con.execute(f"alter table _ct_read rename to {STAGE}")
    return StagedFile(columns, header, _json_object(header), list(columns.notes))


def _stage_jsonl(con: duckdb.DuckDBPyConnection, file: LandingFile, entity: Entity) -> StagedFile:
    # Read whole lines (NUL never occurs in UTF-8 JSON text) so one malformed line becomes a
    # quarantine row instead of failing the file the way read_json would.
    con.execute(
        "create temp table _ct_lines as select row_number() over () as _source_row, "
        "line, case when json_valid(line) then line::json end as j "
        "from read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = chr(0), "
        "quote = '', escape = '', auto_detect = false, compression = 'auto')",
        [str(file.path)],
    )
    con.execute(
        "update _ct_lines set j = null where j is not null and json_type(j) <> 'OBJECT'"
    )
    con.execute(
        f"insert into {MALFORMED} select _source_row, 'malformed JSONL line: ' || "
        f"case when json_valid(line) then 'not a JSON object' else 'invalid JSON' end, "
        f"json_object('jsonl_line', line) "
        f"from _ct_lines where j is null and trim(line) <> ''"
    )
    keys = [k for (k,) in con.execute(
        "select distinct unnest(json_keys(j)) from _ct_lines where j is not null order by 1"
    ).fetchall()]
    if keys:
        columns = match_columns(entity, keys, file.rel)
    else:
        # No JSON object at all (empty file, or every line malformed): there is no column set
        # to check, and every line is already accounted for in _ct_malformed.
        columns = ColumnMap({c.name: None for c in entity.columns},
                            notes=["empty file: no rows" if not con.execute(
                                "select count(*) from _ct_lines").fetchone()[0]
                                else "no JSON object rows"])
    present = [key for key in columns.found.values() if key is not None]
    picks = "".join(
        f", json_extract_string(j, {literal('$.' + quote(key))}) as {positional(i)}"
        for i, key in enumerate(present)
    )
    # Blank lines are not records: they are neither loaded nor quarantined.
    con.execute(
        f"create temp table {STAGE} as select _source_row, line as _line{picks} "
        f"from _ct_lines where j is not null"
    )
    con.execute("drop table _ct_lines")
    return StagedFile(columns, present, "s._line", list(columns.notes))


def _as_text(name: str, sql_type: str) -> str:
    column = quote(name)
    if sql_type.startswith("TIMESTAMP WITH TIME ZONE"):
        # Keep the exact instant: render it in UTC with an explicit offset.
        return f"cast(timezone('UTC', {column}) as varchar) || '+00:00'"
    return f"cast({column} as varchar)"


def _stage_parquet(con: duckdb.DuckDBPyConnection, file: LandingFile, entity: Entity) -> StagedFile:
    described = con.execute(
        "select column_name, column_type from (describe select * from read_parquet(?))",
        [str(file.path)],
    ).fetchall()
    names = [name for name, _ in described]
    columns = match_columns(entity, names, file.rel)
    casts = ", ".join(f"{_as_text(n, t)} as {positional(i)}"
                      for i, (n, t) in enumerate(described))
    con.execute(
        f"create temp table {STAGE} as select file_row_number + 1 as _source_row, {casts} "
        f"from read_parquet(?, file_row_number = true)",
        [str(file.path)],
    )
    return StagedFile(columns, names, _json_object(names), list(columns.notes))

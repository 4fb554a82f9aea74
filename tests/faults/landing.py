"""Delivering and altering landing files the way operators do: a file changed in place, the
same bytes under another name, a file deleted after it was loaded. Files are read and written
back in their own format (csv, jsonl, parquet, each maybe gzip) so only the content changes."""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

Rows = list[dict]


def _is_gzip(path: Path) -> bool:
    return path.name.endswith(".gz")


def _text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if _is_gzip(path) else data).decode("utf-8")


def _write_text(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if _is_gzip(path) else data)


def read_rows(path: Path) -> Rows:
    name = path.name.removesuffix(".gz")
    if name.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    if name.endswith(".jsonl"):
        return [json.loads(line) for line in _text(path).splitlines() if line.strip()]
    return list(csv.DictReader(io.StringIO(_text(path), newline="")))


def write_rows(path: Path, rows: Rows, like: Path | None = None) -> None:
    """Write `rows` to `path` in its format (parquet keeps the schema of `like`)."""
    name = path.name.removesuffix(".gz")
    if name.endswith(".parquet"):
        schema = pq.read_schema(like or path)
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    elif name.endswith(".jsonl"):
        _write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    else:
        out = io.StringIO(newline="")
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
        _write_text(path, out.getvalue())


def rewrite(path: Path, change: Callable[[Rows], Rows]) -> None:
    """Change a delivered file in place."""
    rows = read_rows(path)
    write_rows(path, change(rows), like=path)


def deliver(source: Path, target: Path, rel: str) -> None:
    dest = target / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / rel, dest)


def copy_under_another_name(landing: Path, rel: str) -> str:
    """The same bytes delivered again as `<stem>-again<suffixes>`; returns its path."""
    path = landing / rel
    stem, _, suffixes = path.name.partition(".")
    again = path.with_name(f"{stem}-again.{suffixes}")
    shutil.copy2(path, again)
    return again.relative_to(landing).as_posix()


# changes an operator makes to a file, each keyed by what it does
def add_a_word(rows: Rows) -> Rows:
    """A corrected free-text field in one row (the issue's reproduction)."""
    for row in rows:
        for field in ("note", "description", "topic", "cell_name", "alarm_type", "plan_code"):
            if row.get(field):
                row[field] = f"{row[field]} 补充"
                return rows
    return rows


def drop_last_row(rows: Rows) -> Rows:
    """A row the corrected file no longer holds."""
    return rows[:-1]


def priority_urgent(rows: Rows) -> Rows:
    """A ticket row that breaks the contract (priority outside the enumeration)."""
    if rows:
        rows[0]["priority"] = "Urgent"
    return rows


def event_of_unknown_ticket(rows: Rows) -> Rows:
    """An extra event naming a ticket nobody delivered: the blocking integrity check fails."""
    if rows:
        rows.append({**rows[0], "event_id": "EV-UNKNOWN-1", "ticket_id": "TK-UNKNOWN-1"})
    return rows


CHANGES: dict[str, Callable[[Rows], Rows]] = {
    "add_a_word": add_a_word,
    "drop_last_row": drop_last_row,
    "priority_urgent": priority_urgent,
}


def changes_for(rel: str) -> list[str]:
    """The changes that make sense for a file: a priority only on tickets; no ticket row
    taken away (its events would then name an unknown ticket, which blocks by design)."""
    if rel.startswith("ticketing/tickets/"):
        return ["add_a_word", "priority_urgent"]
    return ["add_a_word", "drop_last_row"]

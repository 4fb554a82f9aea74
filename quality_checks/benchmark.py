"""Time the GX audit at day scale: `python -m quality_checks.benchmark --warehouse W`.

Takes a warehouse a small simulated run built, replicates its staging models and facts until
the facts hold `--tickets` rows (every id suffixed per copy, so keys stay unique and relations
hold), then times the source-integrity suites and the rule audit once each. Writes the numbers
as JSON (default `bench/results/quality_checks.json`).

With `--step-rules-cost`, W is a warehouse a day-scale run built (`make bench` leaves one in
its work folder): on a copy, the whole audit (rule suite, findings, rollup, every ticket) is
timed with and without the step rules of seed `step_policy`, alternately, and the best of
`--repeats` each is reported with their difference (issue #16's added cost).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import duckdb

from complaint_trace.settings import REPO_ROOT
from quality_checks.audit import run_audit, run_integrity
from quality_checks.config import AuditConfig, load_audit_config
from quality_checks.integrity import TABLES

ID_COLUMNS = {"ticket_id", "event_id", "msisdn", "cell_id", "customer_id", "contact_id",
              "alarm_id", "related_ticket_id", "reopened_from_ticket_id",
              "next_same_family_ticket_id", "resolving_event_id", "reopen_event_id",
              "first_contact_record_id", "f2_cell_id", "customer_version_id", "survey_id"}


def replicate(source: Path, target: Path, copies: int) -> dict[str, int]:
    """Copy every table the audit reads, `copies` times, ids suffixed with the copy number."""
    rows: dict[str, int] = {}
    with duckdb.connect(str(target)) as con:
        con.execute(f"attach '{source}' as src (read_only)")
        for table in {t.table for t in TABLES}:
            schema, name = table.split(".")
            con.execute(f"create schema if not exists {schema}")
            columns = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_catalog = 'src'"
                " and table_schema = ? and table_name = ? order by ordinal_position",
                [schema, name]).fetchall()]
            select = ", ".join(
                f"case when {c} is null then null else {c} || '-' || copy.range end as {c}"
                if c in ID_COLUMNS else c for c in columns)
            con.execute(f"create table {table} as select {select}"
                        f" from src.{table}, range({copies}) as copy")
            rows[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
    return rows


def _audit_seconds(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, work: Path,
                        as_of: datetime) -> float:
    """One audit of every ticket (the audit state forgotten first, so none is skipped)."""
    con.execute("create schema if not exists audit")
    con.execute("drop table if exists audit.audit_state")
    start = time.perf_counter()
    run_audit(con, home_dir=work, docs_dir=work / "data_docs", run_id="bench", as_of=as_of,
              cfg=cfg)
    return time.perf_counter() - start


def step_rules_cost(warehouse: Path, as_of: datetime, repeats: int) -> dict[str, object]:
    """The audit with and without the step rules, best of `repeats` each, run alternately."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copy(warehouse, work / "w.duckdb")
        with duckdb.connect(str(work / "w.duckdb")) as con:
            with_steps = load_audit_config(con)
            without = replace(with_steps, step_rules=())
            tickets = con.execute("select count(*) from main.fct_audit_facts").fetchone()[0]
            times: dict[str, list[float]] = {"with": [], "without": []}
            for _ in range(repeats):
                times["without"].append(_audit_seconds(con, without, work, as_of))
                times["with"].append(_audit_seconds(con, with_steps, work, as_of))
    best = {name: min(values) for name, values in times.items()}
    return {
        "measured_at": datetime.now().isoformat(timespec="seconds"), "facts_rows": tickets,
        "step_rules": [rule.rule_id for rule in with_steps.step_rules], "repeats": repeats,
        "audit_without_step_rules_s": round(best["without"], 3),
        "audit_with_step_rules_s": round(best["with"], 3),
        "added_s": round(best["with"] - best["without"], 3),
        "added_share": round(best["with"] / best["without"] - 1, 3),
        "all_s": {name: [round(v, 3) for v in values] for name, values in times.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--as-of", required=True, help="the as-of of the source run, UTC")
    parser.add_argument("--tickets", type=int, default=25_000)
    parser.add_argument("--out", type=Path,
                        default=REPO_ROOT / "bench" / "results" / "quality_checks.json")
    parser.add_argument("--step-rules-cost", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.step_rules_cost:
        result = step_rules_cost(args.warehouse.resolve(), datetime.fromisoformat(args.as_of),
                                 args.repeats)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(json.dumps(result, indent=2))
        return
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        base = con.execute("select count(*) from main.fct_audit_facts").fetchone()[0]
    copies = math.ceil(args.tickets / base)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        rows = replicate(args.warehouse.resolve(), work / "w.duckdb", copies)
        prepared = time.perf_counter() - start
        with duckdb.connect(str(work / "w.duckdb")) as con:
            start = time.perf_counter()
            run_integrity(con, home_dir=work, docs_dir=work / "data_docs", run_id="bench")
            integrity = time.perf_counter() - start
            start = time.perf_counter()
            audit = run_audit(con, home_dir=work, docs_dir=work / "data_docs", run_id="bench",
                              as_of=datetime.fromisoformat(args.as_of))
            total = time.perf_counter() - start
    result = {
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "facts_rows": audit.tickets, "copies": copies, "rows": rows,
        "replicate_seconds": round(prepared, 2),
        "integrity_seconds": round(integrity, 2),
        "rules_gx_seconds": round(audit.seconds_gx, 2),
        "rules_total_seconds": round(total, 2),
        "findings": audit.findings, "agg_rows": audit.agg_rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

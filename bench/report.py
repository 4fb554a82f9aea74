"""Write a benchmark result as JSON plus a markdown table under `bench/results/`."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
# the audit (audit-rules §6): the rule suite, the findings and the rollup steps
AUDIT_STEPS = ("audit__rule_outcomes", "audit__findings", "audit__agg_audit_daily")
# dbt nodes (models, seeds and their tests) that exist only for calendars and step rules
# (§9, §10); the calendar joins inside the clock models are not separable from them
CALENDAR_AND_STEP_NODES = ("calendar_cn_days", "int_calendar_days_accumulated", "step_policy",
                           "fct_ticket_steps", "dim_audit_rules")


def _audit_rows(day: dict) -> list[tuple[str, str]]:
    steps = day.get("steps_s", {})
    audit = sum(v for k, v in steps.items() if k in AUDIT_STEPS)
    nodes = {k: v for k, v in day.get("dbt_models_s", {}).items()
             if any(name in k for name in CALENDAR_AND_STEP_NODES)}
    rows = [("audit steps (rule suite, findings, rollup)", f"{audit:.2f} s"),
            ("dbt nodes of calendars and step rules (§9, §10)",
             f"{sum(nodes.values()):.2f} s over {len(nodes)} nodes (thread time)")]
    if cost := day.get("step_rules_audit"):
        rows.append((f"audit of every ticket with / without the step rules (best of "
                     f"{cost['repeats']})",
                     f"{cost['audit_with_step_rules_s']:.2f} s / "
                     f"{cost['audit_without_step_rules_s']:.2f} s: +{cost['added_s']:.2f} s "
                     f"= +{cost['added_share']:.0%}"))
    return rows


def _rows(result: dict) -> list[tuple[str, str]]:
    day = result["day"]
    rows = [
        ("dataset", f"{result['days']} day(s) × {result['tickets_per_day']} tickets/day, "
                    f"{result['cells']} cells"),
        ("simulate", f"{day['simulate_s']} s" if day["simulate_s"] is not None
         else "reused (simulated earlier into the same --work dir)"),
        ("read floor (DuckDB count(*) of every file)",
         f"{day['floor']['seconds']:.2f} s for {day['floor']['rows']:,} rows "
         f"in {day['floor']['files']} files"),
        ("end-to-end `run`", f"{day['run_s']} s (peak RSS {day['run_peak_rss_mb']} MiB)"),
        ("end-to-end ÷ floor", f"{day['run_over_floor']}×"),
        ("re-run, no new data (fixed start-up cost)", f"{day['rerun_no_new_data_s']} s"),
        ("warehouse / snapshots on disk", f"{day['warehouse_mb']} MiB / {day['snapshots_mb']} MiB"),
    ]
    rows += [(f"step `{k}`", f"{v} s") for k, v in sorted(day["steps_s"].items(),
                                                          key=lambda kv: -kv[1])]
    rows += _audit_rows(day)
    rows += [(f"ingest `{e}`", f"{n:,.0f} rows/s") for e, n in day["ingest_rows_per_s"].items()]
    rows += [(f"ingest 3GPP PM XML, {pm['files']} files of {pm['cells_per_file']:,} cells",
              f"{pm['mb_per_s']} MB/s of XML, {pm['counters_per_s']:,} counters/s "
              f"({pm['xml_mb']} MB, {pm['counters']:,} counters; peak RSS so far "
              f"{pm['peak_rss_mb_so_far']} MiB)") for pm in result.get("pm_ingest", [])]
    models = [(k, v) for k, v in day["dbt_models_s"].items() if k.startswith("model.")]
    rows += [(f"dbt `{k.split('.')[-1]}`", f"{v} s") for k, v in models[:15]]
    rows += [(f"trace, {lv['clients']} client(s)", _latency(lv)) for lv in day.get("trace", [])]
    for g in result["growth"]:
        steps = g.get("steps_s", {})
        top = ", ".join(f"{k} {v:.1f} s" for k, v in
                        sorted(steps.items(), key=lambda kv: -kv[1])[:3])
        ratio = g["add_one_day_s"] / day["run_s"] if day.get("run_s") else float("nan")
        built = (f"; {g['documents_built']:,} trace documents rebuilt"
                 if g.get("documents_built") is not None else "")
        rows.append((f"add day {g['history_days'] + 1} after {g['history_days']} day(s)",
                     f"{g['add_one_day_s']} s = {ratio:.2f}× the first day (slowest steps: "
                     f"{top}{built}; warehouse {g['warehouse_mb']} MiB, snapshots "
                     f"{g.get('snapshots_mb')} MiB)"))
        if "trace_50_clients" in g:
            rows.append((f"trace at {g['history_days'] + 1} days, 50 clients",
                         _latency(g["trace_50_clients"])))
    if "growth_error" in result:
        rows.append(("growth stopped", result["growth_error"]))
    return rows


def _latency(level: dict) -> str:
    return (f"p50 {level['p50_ms']} ms, p95 {level['p95_ms']} ms, p99 {level['p99_ms']} ms, "
            f"{level['requests_per_s']} req/s, {level['errors']} errors")


def to_markdown(result: dict) -> str:
    lines = [f"### Benchmark `{result['size']}` — {result['measured_at']}", "",
             "| what | measured |", "|---|---|"]
    lines += [f"| {what} | {value} |" for what, value in _rows(result)]
    return "\n".join(lines) + "\n"


def write_report(result: dict, quiet: bool = False) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{result['size']}-{result['measured_at'].replace(':', '')}"
    (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    markdown = to_markdown(result)
    (RESULTS_DIR / f"{stem}.md").write_text(markdown)
    (RESULTS_DIR / f"latest-{result['size']}.md").write_text(markdown)
    if not quiet:
        print(markdown)
    return RESULTS_DIR / f"{stem}.md"

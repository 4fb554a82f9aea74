"""Load benchmark of the pages: p50/p95/p99 of the HTML of a handler's ticket page at day scale
(25 k tickets, 1 and 10 clients) and of the auditors' workbench over a 30-day period (30 days
of 25 k tickets a day), served by uvicorn on loopback with a signed-in page session.

    python -m bench.pages_load             # results: bench/results/pages_load.{json,md}

Synthetic warehouses (`api_load.synthesize_warehouse`) stand in for the pipeline: building
30 days of history with the pipeline takes hours, and a page's cost depends on the shapes
(linked cells, KPI hours, findings per day), which the synthesis keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path

import duckdb

from api.security import new_key
from bench.api_load import RESULTS, run_paths, synthesize_warehouse, uvicorn_serving
from serving.publish import publish_snapshot

TICKETS_PER_DAY = 25_000
PERIOD_DAYS = 30


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(port: int, key: str) -> str:
    """Sign in on the login page; the `Cookie:` header line of the session it starts."""
    opener = urllib.request.build_opener(_NoRedirect)
    body = urllib.parse.urlencode({"key": key, "next": "/ui/"}).encode()
    try:
        opener.open(f"http://127.0.0.1:{port}/ui/login", data=body, timeout=10)
    except urllib.error.HTTPError as answer:  # the 303 to the page
        cookie = answer.headers["set-cookie"].split(";", 1)[0]
        return f"Cookie: {cookie}"
    raise RuntimeError("the login page did not start a session")


def _publish(root: Path, tickets: int, days: int, timeline_items: int, kpi_hours: bool
             ) -> tuple[Path, float, float]:
    warehouse = root / "warehouse.duckdb"
    start = time.perf_counter()
    synthesize_warehouse(warehouse, tickets, days=days, timeline_items=timeline_items,
                         kpi_hours=kpi_hours)
    built = time.perf_counter() - start
    start = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        publish_snapshot(con, root / "snapshots", run_id="synthetic",
                         as_of=datetime(2026, 3, 3), keep=1)
    return warehouse, built, time.perf_counter() - start


def ticket_pages(requests: int, workers: int, rng: random.Random) -> dict:
    root = Path(tempfile.mkdtemp(prefix="pages-ticket-"))
    try:
        warehouse, built, published = _publish(root, TICKETS_PER_DAY, 1, 20, True)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            ids = [r[0] for r in con.execute("select ticket_id from main.dim_tickets "
                                             "where network_trace = 'present'").fetchall()]
        docs = next((root / "snapshots").glob("documents-*.sqlite")).stat().st_size
        key = new_key()
        with uvicorn_serving(root, key, "handler", workers) as port:
            cookie = session_cookie(port, key)
            run_paths(port, cookie, [f"/ui/tickets/{rng.choice(ids)}" for _ in range(200)], 10)
            levels = [run_paths(port, cookie, [f"/ui/tickets/{rng.choice(ids)}"
                                               for _ in range(requests)], clients)
                      for clients in (1, 10)]
        print(f"ticket page: {levels}", flush=True)
        return {"page": "GET /ui/tickets/{id} (3 linked cells, KPI charts)",
                "data": f"{TICKETS_PER_DAY} tickets, 1 day, synthetic",
                "synthesized_s": round(built, 1), "published_s": round(published, 1),
                "document_store_bytes": docs, "target": "p95 < 100 ms at 10 clients",
                "levels": levels}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def workbench(requests: int, workers: int) -> dict:
    root = Path(tempfile.mkdtemp(prefix="pages-audit-"))
    try:
        _, built, published = _publish(root, TICKETS_PER_DAY * PERIOD_DAYS, PERIOD_DAYS, 2,
                                       False)
        key = new_key()
        query = "/ui/audit?from=2026-01-31&to=2026-03-01"
        with uvicorn_serving(root, key, "auditor", workers) as port:
            cookie = session_cookie(port, key)
            run_paths(port, cookie, [query] * 20, 2)
            levels = [run_paths(port, cookie, [query] * requests, clients)
                      for clients in (1, 10)]
            export = run_paths(port, cookie, [query.replace("/ui/audit?",
                                                            "/ui/audit/findings.xlsx?")] * 3, 1)
        return {"page": f"GET /ui/audit, a {PERIOD_DAYS}-day period",
                "data": f"{TICKETS_PER_DAY * PERIOD_DAYS} tickets over {PERIOD_DAYS} days, "
                        "synthetic", "synthesized_s": round(built, 1),
                "published_s": round(published, 1), "target": "p95 < 300 ms",
                "levels": levels, "xlsx_export_ms": export["p50_ms"]}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000, help="per level (ticket page)")
    parser.add_argument("--audit-requests", type=int, default=200, help="per level (workbench)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    report = {"benchmark": "pages", "uvicorn_workers": args.workers,
              "cpu_count": os.cpu_count(),
              "measured_at": datetime.now().isoformat(timespec="seconds"),
              "scenarios": [ticket_pages(args.requests, args.workers, rng),
                            workbench(args.audit_requests, args.workers)]}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pages_load.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = ["# Pages load", "", f"uvicorn workers {args.workers}; {report['cpu_count']} CPUs "
             f"shared with the load client; measured {report['measured_at']}.", ""]
    for sc in report["scenarios"]:
        lines += [f"## {sc['page']}", "", f"{sc['data']} (synthesized in {sc['synthesized_s']} s,"
                  f" published in {sc['published_s']} s); target {sc['target']}.", "",
                  "| clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += [f"| {lv['clients']} | {lv['requests']} | {lv['errors']} | "
                  f"{lv['requests_per_s']} | {lv['p50_ms']} | {lv['p95_ms']} | {lv['p99_ms']} | "
                  f"{lv['max_ms']} |" for lv in sc["levels"]]
        if "xlsx_export_ms" in sc:
            lines.append(f"\nXLSX export of the period's findings (median of 3): "
                         f"{sc['xlsx_export_ms']} ms.")
        if "document_store_bytes" in sc:
            lines.append(f"\nDocument store (documents, network events, KPI days): "
                         f"{sc['document_store_bytes'] / 1e6:.0f} MB.")
        lines.append("")
    (RESULTS / "pages_load.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

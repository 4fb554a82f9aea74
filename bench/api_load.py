"""Load benchmark of the trace API: p50/p95/p99 latency and requests/s of
`GET /tickets/{id}/trace` with 1, 10 and 50 concurrent clients against uvicorn on loopback.

    python -m bench.api_load --home DIR          # a home whose pipeline published a snapshot
    python -m bench.api_load --synthetic 25000   # no pipeline at day scale: build a snapshot

Clients are keep-alive HTTP/1.1 connections driven by one asyncio loop in this process (a raw
client: httpx would spend more CPU than the server on this 2-core machine and measure itself);
the server runs in its own process(es). Results go to bench/results/api_load.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from api.security import hash_key, new_key
from complaint_trace.settings import REPO_ROOT
from serving.layout import current_snapshot
from serving.publish import publish_snapshot

RESULTS = REPO_ROOT / "bench" / "results"


def synthesize_warehouse(path: Path, tickets: int, seed: int = 1, days: int = 1,
                         timeline_items: int = 20, kpi_hours: bool = True) -> None:
    """A warehouse with the serving tables: `tickets` tickets spread over `days` days ending
    2026-03-02, every column the API and the pages read, with day-scale shapes: 3 linked
    cells for 80 % of tickets out of 100 k cells, `timeline_items` items a ticket, alarms and
    episodes on linked cells, findings of every rule on ~15 % (one department in four per
    rule), and (`kpi_hours`) the hourly KPIs of every linked cell from 2026-02-26 to
    2026-03-04."""
    con = duckdb.connect(str(path))
    con.execute(f"select setseed({seed / 100})")
    con.execute(SYNTH_SQL.replace("{N}", str(tickets)).replace("{DAYS}", str(days))
                .replace("{ITEMS}", str(timeline_items))
                .replace("{KPI_CELLS}", "" if kpi_hours else "where false"))
    con.close()


SYNTH_SQL = """
create or replace table main.dim_tickets as
select 'TT' || lpad(i::varchar, 8, '0') as ticket_id, '138' || lpad((i * 7919 % 100000000)::varchar,
       8, '0') as msisdn, 'C' || i as customer_id,
       timestamp '2026-03-02' - interval {DAYS} day
           + to_seconds((i * 86400 * {DAYS} // {N})::bigint) as created_at,
       'hotline' as channel, 'network.data_speed' as category, 'network' as category_family,
       'normal' as priority, '网速慢, slow data at home' as description,
       'd' || (i % 40) as reported_district, null::varchar as reopened_from_ticket_id,
       'gold' as tier_at_creation, 'individual' as segment, 'closed' as status_at_as_of,
       'noc' as owning_department, case when i % 5 = 0 then 'missing' else 'present' end
       as network_trace, timestamp '2026-03-02' + to_seconds(i % 3600) as resolved_at,
       'network_fixed' as closure_code,
       timestamp '2026-03-02' - interval {DAYS} day
           + to_seconds((i * 86400 * {DAYS} // {N})::bigint) - interval 3 day
       as network_window_start_at,
       timestamp '2026-03-02' + to_seconds(i % 3600) + interval 7 day as network_window_end_at,
       timestamp '2026-03-02' + to_seconds(i % 3600) + interval 1 day as kpi_chart_end_at,
       timestamp '2026-03-03' as as_of
from range({N}) as t(i);
create or replace table main.fct_audit_facts as
select ticket_id, created_at::date as created_date_local, resolved_at, closure_code,
       'default-normal-silver' as policy_id, 60.0 as first_contact_limit_minutes,
       1440.0 as resolution_limit_minutes,
       created_at + interval 20 minute as first_contact_at, 'ticket_event' as first_contact_source,
       ticket_id || '-E2' as first_contact_record_id, 20.0 as first_contact_delay_minutes,
       created_at + interval 60 minute as first_contact_deadline_at,
       created_at + interval 24 hour as resolution_deadline_at, 600.0 as resolution_clock_minutes,
       600.0 as clock_minutes_at_as_of, 0.0 as pending_minutes, false as is_open_at_as_of,
       network_trace, case when hash(ticket_id) % 10 = 0 then 'AL' || hash(ticket_id) % 20000
       end as f1_alarm_ids
from main.dim_tickets;
create or replace table main.fct_ticket_cells as
select ticket_id, 'CELL' || ((hash(ticket_id) + r * 7) % 100000) as cell_id, r + 1 as cell_rank,
       3600 * (3 - r) as dwell_seconds, 3 - r as session_hours, 'cell name' as cell_name,
       'SITE1' as site_id, '4G' as rat, 'macro' as site_type, 'd1' as district,
       23.1 as latitude, 113.3 as longitude, 'active' as cell_status,
       72 as window_hours_with_data, 3 as window_degraded_hours,
       60.0 as window_avg_prb_util_dl_pct, 12.0 as window_avg_user_dl_rate_mbps,
       98.0 as window_avg_access_success_pct, 0.8 as window_avg_drop_rate_pct,
       94.0 as window_avg_good_coverage_pct, 40.0 as window_traffic_gb,
       24 as after_hours_with_data, 1 as after_degraded_hours,
       55.0 as after_avg_prb_util_dl_pct, 14.0 as after_avg_user_dl_rate_mbps,
       98.5 as after_avg_access_success_pct, 0.6 as after_avg_drop_rate_pct,
       95.0 as after_avg_good_coverage_pct, 12.0 as after_traffic_gb
from main.dim_tickets, range(3) as r(r) where network_trace = 'present';
create or replace table main.stg_netops__alarms as
select 'AL' || i as alarm_id, 'CELL' || (i * 5) % 100000 as cell_id,
       timestamp '2026-02-28' + to_seconds(i * 13) as raised_at,
       case when i % 4 = 0 then null else timestamp '2026-02-28' + to_seconds(i * 13 + 7200) end
       as cleared_at, case when i % 3 = 0 then 'critical' else 'minor' end as severity,
       'cell_out_of_service' as alarm_type
from range(20000) as t(i);
create or replace table main.fct_cell_degradation_episodes as
select 'CELL' || (i * 2) % 100000 || '@' || i as episode_id, 'CELL' || (i * 2) % 100000 as cell_id,
       timestamp '2026-02-28' + to_seconds(i * 5) as episode_start_at,
       timestamp '2026-02-28' + to_seconds(i * 5 + 10800) as episode_end_at, 3 as degraded_hours,
       4.5 as worst_drop_rate_pct, null::double as worst_access_success_pct,
       3.1 as worst_user_dl_rate_mbps, null::double as worst_prb_util_dl_pct,
       null::double as worst_good_coverage_pct
from range(50000) as t(i);
create or replace table main.fct_cell_network_events as
select md5(kind || record) as network_event_id, cell_id, event_at, kind as item_type,
       'netops' as source_system, source_table, record as source_record_id, status,
       code, detail, kind || ' ' || record as summary
from (
    select 'alarm_raised' as kind, alarm_id as record, cell_id, raised_at as event_at,
           'alarms' as source_table, severity as status, alarm_type as code, null as detail
    from main.stg_netops__alarms
    union all
    select 'alarm_cleared', alarm_id, cell_id, cleared_at, 'alarms', severity, alarm_type, null
    from main.stg_netops__alarms where cleared_at is not null
    union all
    select 'degradation_start', episode_id, cell_id, episode_start_at, 'cell_kpi_hourly', null,
           null, degraded_hours || ' degraded hour(s)'
    from main.fct_cell_degradation_episodes
    union all
    select 'degradation_end', episode_id, cell_id, episode_end_at, 'cell_kpi_hourly', null,
           null, degraded_hours || ' degraded hour(s)'
    from main.fct_cell_degradation_episodes
);
create or replace table main.fct_ticket_timeline as
with items as (
    select d.ticket_id, d.created_at + to_seconds(k * 1800) as item_at,
           case when k < 12 then 'ticket_event' when k < 16 then 'crm_contact'
                when k < 18 then 'alarm_raised' else 'degradation_start' end as item_type, k
    from main.dim_tickets as d, range({ITEMS}) as r(k)
)
select md5(ticket_id || k) as timeline_item_id, ticket_id, item_at, item_type,
       case when item_type = 'ticket_event' then 'ticketing' when item_type = 'crm_contact'
            then 'crm' else 'netops' end as source_system,
       case item_type when 'ticket_event' then 'ticket_events' when 'crm_contact' then 'contacts'
            when 'alarm_raised' then 'alarms' else 'cell_kpi_hourly' end as source_table,
       case item_type when 'alarm_raised' then 'AL' || (hash(ticket_id) + k) % 20000
            when 'degradation_start' then 'CELL' || (((hash(ticket_id) + k) % 50000) * 2) % 100000
                 || '@' || (hash(ticket_id) + k) % 50000
            else ticket_id || '-' || k end as source_record_id,
       case when item_type in ('alarm_raised', 'degradation_start') then 'CELL1' end as cell_id,
       'noc' as department, 'op1' as actor_id, 'inProgress' as status, null as code,
       'a handling note, 处理中' as detail, 'dispatched' as summary
from items;
-- the ticket's own items, as the pipeline keeps them apart from the cells' network events
create or replace view main.int_ticket_items_unioned as
select * from main.fct_ticket_timeline
where item_type not in ('alarm_raised', 'alarm_cleared', 'degradation_start', 'degradation_end');
create or replace table main.stg_crm__customers as
select customer_id, msisdn, '客户' || customer_id as customer_name, 'gold' as tier,
       null::timestamp as valid_from, null::timestamp as valid_to
from main.dim_tickets;
create schema if not exists audit;
create or replace table main.dim_audit_rules as
select *, 'rule_catalog' as defined_in from (values ('T1', 'resolve_timeout', 'medium', ''),
    ('T2', 'first_contact_timeout', 'low', ''), ('T3', 'overdue_open', 'high', ''),
    ('F1', 'alarm_active_at_resolution', 'high', ''), ('F2', 'kpi_not_recovered', 'high', ''),
    ('F3', 'no_customer_contact', 'low', ''), ('F4', 'repeat_complaint', 'medium', ''),
    ('F5', 'survey_disputes_resolution', 'medium', ''))
    as r(rule_id, rule_name, severity, description);
create or replace table main.kpi_thresholds as
select * from (values ('drop_rate_pct', '4G', '>', 2.0),
    ('access_success_pct', '4G', '<', 95.0),
    ('user_dl_rate_mbps', '4G', '<', 5.0), ('prb_util_dl_pct', '4G', '>', 85.0),
    ('good_coverage_pct', '4G', '<', 90.0)) as k(kpi, rat, comparator, threshold);
create or replace table audit.findings as
select d.ticket_id, r.rule_id, r.rule_name, r.severity,
       ['noc', '客户服务部', '网络优化中心', '区县网络维护部'][
           (1 + hash(d.ticket_id || r.rule_id) % 4)::bigint]
           as department,
       case when r.rule_id = 'F1' then '{"f1_alarm_ids": "AL1", "f1_cell_ids": "CELL1", '
            || '"resolved_at": "2026-03-02T00:00:00Z", "closure_code": "network_fixed"}'
            else '{"resolved_at": "2026-03-02T00:00:00Z"}' end as evidence,
       'synthetic' as run_id, timestamp '2026-03-03' as as_of, timestamp '2026-03-03' as found_at,
       d.created_at::date as day
from main.dim_tickets as d, main.dim_audit_rules as r
where hash(d.ticket_id || r.rule_id) % 50 = 0;
create or replace table audit.agg_audit_daily as
select d.created_at::date as day, r.rule_id, dep.department, count(*) // 4 as tickets_audited,
       count(f.ticket_id) as findings, count(f.ticket_id) / (count(*) // 4) as finding_rate
from main.dim_tickets as d cross join main.dim_audit_rules as r
cross join (values ('noc'), ('客户服务部'), ('网络优化中心'), ('区县网络维护部')) as dep(department)
left join audit.findings as f
    on f.ticket_id = d.ticket_id and f.rule_id = r.rule_id and f.department = dep.department
group by all;
create or replace table main.fct_sla_warnings as  -- every synthetic ticket is resolved
select ticket_id, 'resolution' as sla_limit, 1440.0 as limit_minutes, 600.0 as used_minutes,
       600.0 / 1440 as share_used, 840.0 as minutes_left, resolved_at as deadline_at,
       null::integer as warning_level_pct, false as is_breached, 'noc' as department,
       priority, timestamp '2026-03-03' as as_of
from main.dim_tickets where false;
create or replace table main.fct_sla_clock_segments as  -- the clock from creation to resolution
select ticket_id, 0 as segment_seq, 'running' as clock_state, created_at as segment_start_at,
       resolved_at as segment_end_at, null::varchar as began_by_event_id, 'created' as began_by,
       null::varchar as began_by_department, 600.0 as counted_minutes,
       600.0 as running_total_minutes
from main.dim_tickets;
create or replace table main.int_cell_kpi_hours_flagged as
select c.cell_id, h.hour as period_start, '4G' as rat,
       0.5 + (hash(c.cell_id || h.hour) % 40) / 10 as drop_rate_pct,
       false as is_drop_rate_pct_breached,
       97.0 as access_success_pct, false as is_access_success_pct_breached,
       20.0 + hash(c.cell_id || h.hour) % 30 as user_dl_rate_mbps,
       false as is_user_dl_rate_mbps_breached,
       30.0 + hash(c.cell_id || h.hour) % 60 as prb_util_dl_pct,
       false as is_prb_util_dl_pct_breached, 95.0 as good_coverage_pct,
       false as is_good_coverage_pct_breached, 1.5 as traffic_gb, 10 as active_users,
       true as has_data, h.hour as _loaded_at, hash(c.cell_id || h.hour) % 20 = 0 as is_degraded
from (select distinct cell_id from main.fct_ticket_cells {KPI_CELLS}) as c,
     generate_series(timestamp '2026-02-26', timestamp '2026-03-03 23:00', interval 1 hour)
         as h(hour);
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("uvicorn did not become healthy")


async def _client(port: int, header: str, paths: list[str], latencies: list[float],
                  errors: list[str]) -> None:
    """One keep-alive HTTP/1.1 connection sending its requests one after another, each with
    the `header` line (the API key, or a page session's cookie)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for path in paths:
            request = (f"GET {path} HTTP/1.1\r\nHost: bench\r\n{header}\r\n\r\n").encode()
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            status = head.split(b" ", 2)[1]
            if status != b"200":
                errors.append(f"{path}: {status.decode()}")
    finally:
        writer.close()


def run_level(port: int, key: str, ticket_ids: list[str], clients: int, requests: int,
              rng: random.Random, sink: list[float] | None = None) -> dict:
    """`requests` trace lookups of random tickets spread over `clients` connections."""
    paths = [f"/tickets/{rng.choice(ticket_ids)}/trace" for _ in range(requests)]
    return run_paths(port, f"X-API-Key: {key}", paths, clients, sink)


def run_paths(port: int, header: str, paths: list[str], clients: int,
              sink: list[float] | None = None) -> dict:
    """GET each of `paths`, spread over `clients` connections; latency quantiles and rate
    (each latency, in ms, also appended to `sink`)."""
    per_client = [paths[i::clients] for i in range(clients)]
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(_client(port, header, p, latencies, errors)
                               for p in per_client))
        return time.perf_counter() - start

    elapsed = asyncio.run(main())
    ms = sorted(x * 1000 for x in latencies)
    if sink is not None:
        sink.extend(ms)
    return {"clients": clients, "requests": len(ms), "errors": len(errors),
            "seconds": round(elapsed, 3), "requests_per_s": round(len(ms) / elapsed, 1),
            **quantiles_ms(ms)}


def quantiles_ms(ms: list[float]) -> dict:
    """p50, p95, p99 and max of sorted latencies in milliseconds."""
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2), "p99_ms": round(q[98], 2),
            "max_ms": round(ms[-1], 2)}


def _prepare_home(args: argparse.Namespace) -> tuple[Path, str]:
    """The home to serve and a description of its data."""
    if args.home:
        home = Path(args.home).resolve()
        if current_snapshot(home / "snapshots") is None:
            sys.exit(f"{home} has no published snapshot: run the pipeline first")
        return home, f"pipeline snapshot in {home}"
    home = Path(tempfile.mkdtemp(prefix="api-load-"))
    warehouse = home / "synthetic-warehouse.duckdb"
    synthesize_warehouse(warehouse, args.synthetic)
    con = duckdb.connect(str(warehouse), read_only=True)
    start = time.perf_counter()
    publish_snapshot(con, home / "snapshots", run_id="synthetic", as_of=datetime(2026, 3, 3),
                     keep=1)
    con.close()
    took = time.perf_counter() - start
    return home, (f"synthetic snapshot, {args.synthetic} tickets (day scale), "
                  f"published in {took:.1f} s")


def measure(home: Path, clients: list[int], requests: int, workers: int = 2,
            seed: int = 7) -> tuple[int, list[dict]]:
    """Serve `home`'s current snapshot with uvicorn and measure trace lookups of random
    tickets at each concurrency level; returns the ticket count and one result per level."""
    snapshot = current_snapshot(home / "snapshots")
    with duckdb.connect(str(snapshot), read_only=True) as con:
        ticket_ids = [r[0] for r in con.execute("select ticket_id from main.dim_tickets")
                      .fetchall()]
    key = new_key()
    rng = random.Random(seed)
    with uvicorn_serving(home, key, "handler", workers) as port:
        run_level(port, key, ticket_ids, 10, 500, rng)  # warm-up: page cache, cursors, imports
        levels = [run_level(port, key, ticket_ids, c, requests, rng) for c in clients]
    return len(ticket_ids), levels


@contextmanager
def uvicorn_serving(home: Path, key: str, role: str, workers: int) -> Iterator[int]:
    """The API (and its pages) over `home` under uvicorn in its own process(es), accepting
    `key` for `role`; yields the loopback port."""
    port = _free_port()
    env = {**os.environ, "COMPLAINT_TRACE_HOME": str(home),
           "COMPLAINT_TRACE_API_KEYS": json.dumps(
               [{"name": "bench", "role": role, "sha256": hash_key(key)}])}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log"], cwd=REPO_ROOT, env=env)
    try:
        _wait_healthy(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--home", help="home with a published snapshot (day-scale pipeline)")
    source.add_argument("--synthetic", type=int, help="tickets of a synthetic snapshot")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--requests", type=int, default=3000, help="per concurrency level")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    home, data = _prepare_home(args)
    try:
        ticket_count, levels = measure(home, [int(c) for c in args.clients.split(",")],
                                       args.requests, args.workers, args.seed)
    finally:
        if args.synthetic:
            shutil.rmtree(home, ignore_errors=True)
    report = {"benchmark": "GET /tickets/{id}/trace", "data": data, "tickets": ticket_count,
              "uvicorn_workers": args.workers, "cpu_count": os.cpu_count(),
              "measured_at": datetime.now().isoformat(timespec="seconds"), "levels": levels}
    _write(report)


def _write(report: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "api_load.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"# API load: {report['benchmark']}", "",
             f"{report['data']}; {report['tickets']} tickets; uvicorn workers "
             f"{report['uvicorn_workers']}; {report['cpu_count']} CPUs shared with the load "
             f"client; measured {report['measured_at']}.", "",
             "| clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {lv['clients']} | {lv['requests']} | {lv['errors']} | {lv['requests_per_s']} | "
              f"{lv['p50_ms']} | {lv['p95_ms']} | {lv['p99_ms']} | {lv['max_ms']} |"
              for lv in report["levels"]]
    (RESULTS / "api_load.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

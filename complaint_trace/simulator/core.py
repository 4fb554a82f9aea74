"""`simulate(config)`: the three source systems' feeds for N days, plus the ground truth."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from complaint_trace.contract import ENTITIES, entity
from complaint_trace.simulator import tables
from complaint_trace.simulator.alarms import alarms_table, background_alarms
from complaint_trace.simulator.badrows import KINDS, plan_counts
from complaint_trace.simulator.config import SimConfig, SimulationResult
from complaint_trace.simulator.network import KPIS, make_cells, make_kpis
from complaint_trace.simulator.plants import plant_network
from complaint_trace.simulator.reference import msisdns
from complaint_trace.simulator.sessions import make_sessions
from complaint_trace.simulator.tickets import plan_tickets
from complaint_trace.simulator.truth import TRUTH_FILES, write_truth
from complaint_trace.simulator.writer import FileSpec, TimeRenderer, build_file, file_format, write

H = 3600
PART_ROWS = 1_000_000  # a daily file larger than this is delivered in parts
BIG_FILE_ROWS = 200_000  # larger text files are always gzip-compressed
EXTENSIONS = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".parquet")


def window(cfg: SimConfig) -> tuple[int, int]:
    """(first simulated instant, as-of) in UTC seconds: local midnights in the source zone."""
    zone = ZoneInfo(cfg.source_tz)
    first = datetime.combine(cfg.start, dtime(0), zone)
    last = datetime.combine(cfg.start + timedelta(days=cfg.days), dtime(0), zone)
    return int(first.timestamp()), int(last.timestamp())


def _prepare(cfg: SimConfig, overwrite: bool) -> None:
    out, truth = cfg.out.resolve(), cfg.truth.resolve()
    if truth == out or out in truth.parents:
        raise ValueError(f"the truth folder {truth} must lie outside the landing root {out}")
    ours = [p for e in ENTITIES for p in (out / e.path).glob("*") if p.name.endswith(EXTENSIONS)]
    ours += [truth / name for name in TRUTH_FILES if (truth / name).exists()]
    if ours and not overwrite:
        raise FileExistsError(f"{out} already holds simulated files; pass overwrite to replace")
    for path in ours:
        path.unlink()


def kpi_tables(cells, kpi: dict[str, np.ndarray], drops, start: int, days: int,
               rng: np.random.Generator):
    """One KPI table per day: active cells x 24 hours, minus missing and planted-gap rows."""
    active = np.flatnonzero(cells.pool != "X")
    keep = rng.random(kpi[KPIS[0]].shape) >= 0.001
    keep[cells.pool == "R"] = True  # reserved cells lose only the hours a plant drops
    for cell, hours in drops:
        keep[cell, hours] = False
    ids = pa.array(cells.ids, pa.string())
    for d in range(days):
        hours = slice(d * 24, (d + 1) * 24)
        mask = keep[active, hours].ravel()
        cell_idx = np.repeat(active, 24)[mask]
        hour = np.tile(np.arange(d * 24, (d + 1) * 24), len(active))[mask]
        cols = {"cell_id": ids.take(pa.array(cell_idx)),
                "period_start": pa.array(start + hour * H, pa.int64())}
        for name in KPIS:
            values = kpi[name][active, hours].ravel()[mask]
            arr = pa.array(values, pa.float64(), mask=np.isnan(values))
            cols[name] = arr.cast(pa.int64()) if name == "active_users" else arr
        cols["_day"] = pa.array(np.full(len(cell_idx), d, dtype=np.int64))
        yield pa.table(cols)


def simulate(cfg: SimConfig, overwrite: bool = False) -> SimulationResult:
    began = time.perf_counter()
    _prepare(cfg, overwrite)
    start, as_of = window(cfg)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(9)]
    days = tables.Days(start, cfg.days)
    tickets, versions, misfits = plan_tickets(cfg, rngs[0], start, as_of)
    built: dict[str, list[pa.Table]] = {}
    events = tables.events_table(tickets, rngs[1], as_of, days)
    # source systems export events in no particular order (data contract: ticket_events)
    built["ticketing/ticket_events"] = [events.take(rngs[1].permutation(events.num_rows))]
    built["ticketing/tickets"] = [tables.tickets_table(tickets, rngs[1], days)]
    extra = msisdns(np.random.default_rng(rngs[1].integers(2**32)), len(versions) // 4 + 1)
    extra = [m for m in extra if m not in versions]
    for m in extra:
        versions[m] = [(start - int(rngs[1].integers(30, 3000)) * 86400,
                        str(rngs[1].choice(["platinum", "gold", "silver", "standard"],
                                           p=[.05, .12, .23, .60])))]
    noise = rngs[1].choice(np.array(sorted(versions), dtype=object), size=len(tickets))
    contacts = tables.contacts_table(tickets, rngs[1], as_of, days, noise)
    hotline = pc.equal(contacts["channel"], "hotline")
    built["crm/contacts"] = [contacts.filter(hotline), contacts.filter(pc.invert(hotline))]
    built["ticketing/surveys"] = [tables.surveys_table(tickets, as_of, days)]
    districts = {t.msisdn: t.district for t in tickets}
    built["crm/customers"] = [tables.customers_table(versions, districts, rngs[1], days)]

    reserved = sum(t.role_rank is not None for t in tickets)
    cells = make_cells(cfg.cells, reserved, rngs[2])
    built["netops/cells"] = [cells.table]
    sessions, role_cells = make_sessions(tickets, cells, rngs[3], days, as_of)
    built["netops/user_cell_sessions"] = [sessions]
    local_hour0 = datetime.fromtimestamp(start, UTC).astimezone(ZoneInfo(cfg.source_tz)).hour
    kpi = make_kpis(cells, cfg.days * 24, local_hour0, rngs[4])
    planted_alarms, drops = plant_network(tickets, role_cells, cells, kpi, start, rngs[5])
    parts = [background_alarms(cells, start, as_of, rngs[6]), *planted_alarms]
    built["netops/alarms"] = [alarms_table(parts, cells, as_of, days)]
    built["netops/cell_kpi_hourly"] = list(kpi_tables(cells, kpi, drops, start, cfg.days, rngs[7]))
    del kpi

    result = SimulationResult(landing=cfg.out, truth=cfg.truth,
                              as_of=datetime.fromtimestamp(as_of, UTC).replace(tzinfo=None))
    bad = _write_all(cfg, built, start, result, rngs[8])
    result.bad_rows = len(bad)
    result.planted_tickets = sum(t.scenario != "clean" for t in tickets)
    meta = {**cfg.as_meta(), "as_of": result.as_of.strftime("%Y-%m-%d %H:%M:%S"),
            "as_of_note": "UTC; midnight in source_tz after the last simulated day",
            "tickets": len(tickets), "planted_tickets": result.planted_tickets,
            "planted_misfits": misfits, "rows": result.rows, "bad_rows": len(bad)}
    write_truth(cfg.truth, meta, tickets, bad)
    result.seconds = round(time.perf_counter() - began, 2)
    return result


def _write_all(cfg: SimConfig, built: dict[str, list[pa.Table]], start: int,
               result: SimulationResult, rng: np.random.Generator) -> list[tuple]:
    """Split every entity into daily files, place its bad rows, write; returns bad-row truth."""
    render = TimeRenderer(cfg.source_tz)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    bad_truth: list[tuple] = []
    dates = [(datetime.fromtimestamp(start, UTC) + timedelta(days=d, hours=12)).astimezone(
        ZoneInfo(cfg.source_tz)).strftime("%Y-%m-%d") for d in range(cfg.days)]
    for e_index, ent in enumerate(ENTITIES):
        files: list[tuple[FileSpec, pa.Table]] = []
        for d in range(cfg.days):
            pieces = []  # one file per source table (e.g. CRM subsystem) and size part
            for table in built[ent.path]:
                day_rows = table.filter(pc.equal(table["_day"], d))
                n_parts = max(1, math.ceil(day_rows.num_rows / PART_ROWS))
                pieces += [day_rows.slice(p * PART_ROWS, PART_ROWS) for p in range(n_parts)]
            pieces = [p for p in pieces if p.num_rows]
            for k, piece in enumerate(pieces):
                fmt, style = file_format(e_index, d, k)
                if piece.num_rows > BIG_FILE_ROWS and not fmt.endswith((".gz", "parquet")):
                    fmt += ".gz"  # nobody ships a quarter gigabyte of plain text
                name = f"{dates[d]}-{k + 1}" if len(pieces) > 1 else dates[d]
                spec = FileSpec(entity(ent.path), cfg.out / ent.path / f"{name}.{fmt}", fmt, style)
                files.append((spec, piece))
        bad_truth += _write_entity(con, ent.path, files, cfg, render, result, rng)
    con.close()
    return bad_truth


def _write_entity(con, path: str, files, cfg: SimConfig, render, result, rng) -> list[tuple]:
    kinds = KINDS[path]
    total = sum(t.num_rows for _, t in files)
    n_bad = plan_counts(total, cfg.bad_row_rate, len(kinds))
    assigned: list[list] = [[] for _ in files]
    for serial in range(n_bad):
        kind = kinds[serial % len(kinds)]
        eligible = [i for i, (s, _) in enumerate(files) if not kind.text_only or s.fmt != "parquet"]
        if eligible:
            assigned[eligible[int(rng.integers(len(eligible)))]].append((kind, serial + 1))
    truth = []
    for (spec, table), mine in zip(files, assigned, strict=True):
        out, rows = build_file(table, spec, [k for k, _ in mine], [s for _, s in mine], render,
                               rng)
        write(con, out, spec)
        rel = spec.path.relative_to(cfg.out).as_posix()
        truth += [(path, rel, r, k.name) for (k, _), r in zip(mine, rows, strict=True)]
        result.files.append(spec.path)
        result.rows[path] = result.rows.get(path, 0) + out.num_rows
    return truth

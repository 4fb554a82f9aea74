"""`simulate(config)`: the three source systems' feeds for N days, plus the ground truth."""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from complaint_trace.contract import ENTITIES, entity
from complaint_trace.delivery import DAY_MINUTES, file_stem, source_minutes
from complaint_trace.simulator import tables
from complaint_trace.simulator.alarms import alarms_table, background_alarms
from complaint_trace.simulator.badrows import KINDS, BadRows
from complaint_trace.simulator.config import SimConfig, SimulationResult
from complaint_trace.simulator.kpi import KpiModel
from complaint_trace.simulator.network import make_cells
from complaint_trace.simulator.plants import plant_network
from complaint_trace.simulator.reference import msisdns
from complaint_trace.simulator.sessions import SessionWriter, assign_role_cells
from complaint_trace.simulator.slots import cut, due_times, slot_starts
from complaint_trace.simulator.standard import EXTENSIONS as STANDARD_EXTENSIONS
from complaint_trace.simulator.standard import FOLDERS as STANDARD_FOLDERS
from complaint_trace.simulator.standard import REPLACED, write_standard_feeds
from complaint_trace.simulator.tickets import plan_tickets
from complaint_trace.simulator.truth import TRUTH_FILES, write_truth
from complaint_trace.simulator.writer import FileSpec, TimeRenderer, build_file, file_format, write

H = 3600
PART_ROWS = 1_000_000  # a daily file larger than this is delivered in parts
BIG_FILE_ROWS = 200_000  # larger text files are always gzip-compressed
EXTENSIONS = (".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".parquet")


def midnights(cfg: SimConfig) -> list[int]:
    """Local midnights (UTC seconds) from the first simulated day to the as-of, inclusive."""
    zone = ZoneInfo(cfg.source_tz)
    return [int(datetime.combine(cfg.start + timedelta(days=d), dtime(0), zone).timestamp())
            for d in range(cfg.days + 1)]


def dates_of(cfg: SimConfig) -> list[date]:
    """The simulated business dates (local)."""
    return [cfg.start + timedelta(days=d) for d in range(cfg.days)]


def _prepare(cfg: SimConfig, overwrite: bool) -> None:
    out, truth = cfg.out.resolve(), cfg.truth.resolve()
    if truth == out or out in truth.parents:
        raise ValueError(f"the truth folder {truth} must lie outside the landing root {out}")
    ours = [p for e in ENTITIES for p in (out / e.path).glob("*") if p.name.endswith(EXTENSIONS)]
    ours += [p for folder in STANDARD_FOLDERS for p in (out / folder).glob("*")
             if p.name.endswith(STANDARD_EXTENSIONS)]
    ours += [truth / name for name in TRUTH_FILES if (truth / name).exists()]
    if ours and not overwrite:
        raise FileExistsError(f"{out} already holds simulated files; pass overwrite to replace")
    for path in ours:
        path.unlink()


def simulate(cfg: SimConfig, overwrite: bool = False) -> SimulationResult:
    began = time.perf_counter()
    _prepare(cfg, overwrite)
    bounds = midnights(cfg)
    start, as_of = bounds[0], bounds[-1]
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(9)]
    days = tables.Days(bounds)
    tickets, versions, misfits, variant_rows = plan_tickets(cfg, rngs[0], start, as_of)
    built: dict[str, Source] = {}
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
    segments = {t.msisdn: t.segment for t in tickets if t.segment}
    built["crm/customers"] = [tables.customers_table(versions, districts, rngs[1], days,
                                                     segments)]

    reserved = sum(t.role_rank is not None for t in tickets)
    cells = make_cells(cfg.cells, reserved, rngs[2])
    built["netops/cells"] = [cells.table]
    role_cells = assign_role_cells(tickets, cells, rngs[3])
    seeds = np.random.SeedSequence([cfg.seed, 1])  # per-day generators: memory stays flat
    kpi_seeds, session_seeds = seeds.spawn(2)
    built["netops/user_cell_sessions"] = SessionWriter(tickets, cells, role_cells, days, as_of,
                                                       session_seeds).day
    kpi = KpiModel(cells, days, as_of, ZoneInfo(cfg.source_tz), kpi_seeds)
    planted_alarms = plant_network(tickets, role_cells, kpi, kpi.hours, start, rngs[5])
    background = background_alarms(cells, start, as_of, rngs[6])
    for i in np.flatnonzero(np.isin(background["severity"], ["critical", "major"])):
        cleared = background["cleared"][i] if background["cleared"][i] > 0 else as_of
        kpi.outage(int(background["cell"][i]), int(background["raised"][i]), int(cleared),
                   str(background["alarm_type"][i]), rngs[6])
    parts = [background, *planted_alarms]
    built["netops/alarms"] = [alarms_table(parts, cells, as_of, days)]
    built["netops/cell_kpi_hourly"] = kpi.day

    result = SimulationResult(landing=cfg.out, truth=cfg.truth,
                              as_of=datetime.fromtimestamp(as_of, UTC).replace(tzinfo=None))
    bad = _write_all(cfg, built, start, result, rngs[8])
    if cfg.standard_feeds:
        for written in write_standard_feeds(cfg.out, dates_of(cfg), built, cells.table):
            result.files.append(written.path)
            folder = written.path.parent.relative_to(cfg.out).as_posix()
            result.rows[folder] = result.rows.get(folder, 0) + written.rows
    result.bad_rows = len(bad)
    result.planted_tickets = sum(t.scenario != "clean" for t in tickets)
    meta = {**cfg.as_meta(), "as_of": result.as_of.strftime("%Y-%m-%d %H:%M:%S"),
            "as_of_note": "UTC; midnight in source_tz after the last simulated day",
            "tickets": len(tickets), "planted_tickets": result.planted_tickets,
            "planted_misfits": misfits, "rows": result.rows, "bad_rows": len(bad),
            "scenarios": dict(sorted(Counter(t.scenario for t in tickets).items()))}
    write_truth(cfg.truth, meta, tickets, bad, variant_rows)
    result.seconds = round(time.perf_counter() - began, 2)
    return result


Source = list[pa.Table] | Callable[[int], pa.Table]  # tables with `_day`, or one per day


def _pieces(source: Source, d: int) -> list[pa.Table]:
    """Day d's files of one entity: one per source table (e.g. CRM subsystem) and size part."""
    tables = [source(d)] if callable(source) else [
        t.filter(pc.equal(t["_day"], d)) for t in source]
    pieces = []
    for table in tables:
        n_parts = max(1, math.ceil(table.num_rows / PART_ROWS))
        pieces += [table.slice(p * PART_ROWS, PART_ROWS) for p in range(n_parts)]
    return [p for p in pieces if p.num_rows]


def _write_all(cfg: SimConfig, built: dict[str, Source], start: int,
               result: SimulationResult, rng: np.random.Generator) -> list[tuple]:
    """Write every entity day by day, bad rows placed as each daily file is built; below a
    day's cadence each daily file is then cut into its delivery slots."""
    render = TimeRenderer(cfg.source_tz)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    bad_truth: list[tuple] = []
    dates = dates_of(cfg)
    for e_index, ent in enumerate(ENTITIES):
        bad = BadRows(KINDS[ent.path], cfg.bad_row_rate, rng)
        minutes = source_minutes(ent.source, cfg.delivery_minutes)
        for d in range(cfg.days):
            pieces = _pieces(built[ent.path], d)
            for k, piece in enumerate(pieces):
                fmt, style = file_format(e_index, d, k)
                if piece.num_rows > BIG_FILE_ROWS and not fmt.endswith((".gz", "parquet")):
                    fmt += ".gz"  # nobody ships a quarter gigabyte of plain text
                part = k + 1 if len(pieces) > 1 else None
                name = f"{file_stem(dates[d], None, part)}.{fmt}"
                spec = FileSpec(entity(ent.path), cfg.out / ent.path / name, fmt, style)
                mine = bad.for_file(piece.num_rows, fmt != "parquet")
                out, rows, origin = build_file(piece, spec, [k for k, _ in mine],
                                               [s for _, s in mine], render, rng)
                if minutes == DAY_MINUTES:
                    files, located = [(spec, out)], [(spec.path, r) for r in rows]
                else:
                    slots = slot_starts(due_times(piece, ent.path, start), d, cfg.start,
                                        ZoneInfo(cfg.source_tz), minutes)
                    files, located = _slot_files(spec, out, slots[origin], rows, dates[d], part)
                if cfg.standard_feeds and ent.path in REPLACED:
                    continue  # built all the same, so the other files stay byte-identical
                for file_spec, table in files:
                    write(con, table, file_spec)
                    result.files.append(file_spec.path)
                    result.rows[ent.path] = result.rows.get(ent.path, 0) + table.num_rows
                bad_truth += [(ent.path, path.relative_to(cfg.out).as_posix(), r, kd.name)
                              for (kd, _), (path, r) in zip(mine, located, strict=True)]
    con.close()
    return bad_truth


def _slot_files(spec: FileSpec, table: pa.Table, slots: np.ndarray, bad_rows: list[int],
                day: date, part: int | None) -> tuple[list[tuple[FileSpec, pa.Table]], list]:
    """A daily file's slot files (same format and time style), and where each of its bad rows
    (1-based row numbers) went: (slot file path, row number there)."""
    sliced = cut(table, slots)
    files = [(replace(spec, path=spec.path.with_name(f"{file_stem(day, slot, part)}.{spec.fmt}")),
              rows) for slot, rows in sliced.files]
    path_of = {slot: f.path for (slot, _), (f, _) in zip(sliced.files, files, strict=True)}
    located = [(path_of[int(sliced.slot[r - 1])], int(sliced.row[r - 1])) for r in bad_rows]
    return files, located

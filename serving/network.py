"""The network events a trace shows, kept once per cell in the document store (the API splices
them into a trace at request time: `api/network.py`).

A trace shows the alarms and degradation episodes on its linked cells from the complaint
window's start until resolution + N days (audit-rules §7). Stored inside each ticket's
document, they made every ticket resolved in the last N days, and every open one, need a new
document each day, each holding dozens of network items repeated across the tickets that share
a cell. Kept here per cell (`network_events`, keyed by cell and time) with their details
(`alarms`, `episodes`), a day adds its new events once; the document keeps the window
(`dim_tickets.network_window_*`, the same columns the timeline mart applies) and the reader
cuts the cell's events to it, capped at the snapshot's as-of.

Each record is fingerprinted like a document (`NETWORK_FINGERPRINTS`), so a publish rewrites
only the records that changed; a KPI day, the one record kind that grows with every ticket
and day of history, is hashed again only when it is new or an hour of it was loaded since
the previous snapshot (`KPI_DAYS_HASHED_SINCE`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from serving.documents import (
    DOCUMENT_FORMAT,
    ISO_UTC,
    KPIS,
    content_columns,
    event_key,
    timeline_item,
)
from serving.layout import NETWORK_TABLES

# The rows of each store table (`{db}` is the warehouse; `{changed}` restricts them to the
# records whose keys are in that table). Network events are worded as the timeline's items.
NETWORK_EVENTS_SQL = f"""
select t.cell_id, {event_key("t.event_at")} as event_key, t.source_record_id, t.item_type,
       to_json({timeline_item("t.event_at")})::varchar as item_json
from (select *, null::varchar as department from {{db}}.main.fct_cell_network_events) as t
inner join {{changed}} as c on c.key_1 = t.item_type and c.key_2 = t.source_record_id
order by t.cell_id, event_key"""

ALARMS_SQL = f"""
select a.alarm_id, a.cell_id, {event_key("a.raised_at")} as sort_key,
       to_json(struct_pack(alarm_id := a.alarm_id, severity := a.severity,
                           alarm_type := a.alarm_type, raised_at := iso_utc(a.raised_at),
                           cleared_at := iso_utc(a.cleared_at)))::varchar as detail_json
from {{db}}.main.stg_netops__alarms as a
where a.alarm_id in (select key_2 from {{changed}})
order by a.alarm_id"""

EPISODES_SQL = f"""
select e.episode_id, e.cell_id, {event_key("e.episode_start_at")} as sort_key,
       to_json(struct_pack(started_at := iso_utc(e.episode_start_at),
                           ended_at := iso_utc(e.episode_end_at),
                           degraded_hours := e.degraded_hours,
                           worst := struct_pack({", ".join(f"{k} := e.worst_{k}" for k in KPIS)})
                           ))::varchar as detail_json
from {{db}}.main.fct_cell_degradation_episodes as e
where e.episode_id in (select key_2 from {{changed}})
order by e.episode_id"""

# The cell-days an hourly KPI chart of a ticket page draws: each linked cell's days from the
# complaint window's start to `kpi_chart_end_at` (the publish's as-of while unresolved). UTC
# days.
KPI_DAYS_SHOWN = """
select distinct c.cell_id,
       unnest(generate_series(date_trunc('day', d.network_window_start_at),
                              date_trunc('day', coalesce(d.kpi_chart_end_at, {as_of})),
                              interval 1 day)) as day
from {db}.main.fct_ticket_cells as c
inner join {db}.main.dim_tickets as d on d.ticket_id = c.ticket_id"""

KPI_DAYS_SQL = f"""
select k.cell_id, strftime(k.period_start, '%Y-%m-%d') as day_key,
       to_json(struct_pack(
           -- minutes into the day: a day's 24 ISO times would be half the record
           minute := list(hour(k.period_start) * 60 + minute(k.period_start)
                          order by k.period_start),
           -- the minutes of the degraded hours only: most hours are not
           degraded_minutes := coalesce(list(hour(k.period_start) * 60 + minute(k.period_start)
                                             order by k.period_start)
                                        filter (where k.is_degraded), []),
           {", ".join(f"{k} := list(round(k.{k}, 2) order by k.period_start)" for k in KPIS)}
       ))::varchar as hours_json
from {{db}}.main.int_cell_kpi_hours_flagged as k
inner join {{changed}} as c
    on c.key_1 = k.cell_id and c.key_2 = strftime(k.period_start, '%Y-%m-%d')
group by k.cell_id, day_key
order by k.cell_id, day_key"""

# store table -> (its columns, primary key, source rows)
_SOURCE_ROWS = {"network_events": NETWORK_EVENTS_SQL, "alarms": ALARMS_SQL,
                "episodes": EPISODES_SQL, "kpi_days": KPI_DAYS_SQL}
STORE_TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    table: (columns, key, _SOURCE_ROWS[table]) for table, (columns, key) in NETWORK_TABLES.items()
}

# The cell-days whose KPI hours a publish hashes (temp table `kpi_days_hashed`, from the days
# shown, `kpi_days_shown`): every one; or, after a previous snapshot of the same series of
# flagged hours (`int_cell_kpi_hours_flagged.flagged_series`: within it, every hour a build
# writes is loaded later than those before, and none is taken away), the days new since that
# snapshot (`previous_kpi_days`: its KPI-day fingerprints) and the days holding an hour loaded
# since it; every other day shown keeps the previous fingerprint (`KPI_DAYS_CARRIED`).
KPI_DAYS_HASHED = "select cell_id, day, day_key from kpi_days_shown"
KPI_DAYS_HASHED_SINCE = """
select s.cell_id, s.day, s.day_key from kpi_days_shown as s
semi join (select distinct cell_id, date_trunc('day', period_start) as day
           from {db}.main.int_cell_kpi_hours_flagged
           where _loaded_at > {loaded_through}) as c
    on c.cell_id = s.cell_id and c.day = s.day
union
select s.cell_id, s.day, s.day_key from kpi_days_shown as s
anti join previous_kpi_days as p on p.key_1 = s.cell_id and p.key_2 = s.day_key"""
PREVIOUS_KPI_DAYS = """
select key_1, key_2, fingerprint from {fingerprints} where store_table = 'kpi_days'"""
KPI_DAYS_CARRIED = """
union all
select 'kpi_days', p.key_1, p.key_2, p.fingerprint from previous_kpi_days as p
semi join kpi_days_shown as s on s.cell_id = p.key_1 and s.day_key = p.key_2
anti join kpi_days_hashed as h on h.cell_id = p.key_1 and h.day_key = p.key_2"""

# (store table, key_1, key_2, fingerprint) of every record; key_1 is the event's item type
# ('' for alarms and episodes). `{cols[table]}` lists a source's content columns; `{carried}`
# is empty or KPI_DAYS_CARRIED. A KPI day shown without hours yet (a day of the recovery
# window still to come) has a null fingerprint, so it is carried over too, not looked for in
# every publish; the hours are read between `{first_day}` and `{after_last_day}`, so a publish
# hashing recent days reads only recent row groups.
NETWORK_FINGERPRINTS = """
with kpi_hours_hashed as (
    select k.* from {db}.main.int_cell_kpi_hours_flagged as k
    semi join kpi_days_hashed as s
        on s.cell_id = k.cell_id and s.day = date_trunc('day', k.period_start)
    where k.period_start >= {first_day} and k.period_start < {after_last_day}
),
kpi_day_hashes as (
    select cell_id, date_trunc('day', period_start) as day,
           sum(hash({cols[int_cell_kpi_hours_flagged]})) as fingerprint
    from kpi_hours_hashed group by cell_id, day
)
select 'network_events' as store_table, item_type as key_1, source_record_id as key_2,
       hash({cols[fct_cell_network_events]}) as fingerprint
from {db}.main.fct_cell_network_events
union all
select 'alarms', '', alarm_id, hash({cols[stg_netops__alarms]})
from {db}.main.stg_netops__alarms
union all
select 'episodes', '', episode_id, hash({cols[fct_cell_degradation_episodes]})
from {db}.main.fct_cell_degradation_episodes
union all
select 'kpi_days', h.cell_id, h.day_key, d.fingerprint
from kpi_days_hashed as h
left join kpi_day_hashes as d on d.cell_id = h.cell_id and d.day = h.day
{carried}
"""
NETWORK_SOURCES = ("main.fct_cell_network_events", "main.stg_netops__alarms",
                   "main.fct_cell_degradation_episodes", "main.int_cell_kpi_hours_flagged")

# Clustered by cell and time (WITHOUT ROWID, keyed as in STORE_TABLES, then by generation): a
# trace reads each linked cell's rows as one short range instead of seeking each record across
# the file.
CREATE_STORE_TABLES = (
    *(f"create table {table} ({', '.join(f'{c} text' for c in columns)}, "
      f"born integer not null, died integer, "
      f"primary key ({', '.join(key)}, born)) without rowid"
      for table, (columns, key, _) in STORE_TABLES.items()),
    # a publish retires changed records by id, and a prune drops retired ones
    "create index network_events_by_record on network_events (source_record_id, item_type)",
    "create index alarms_by_id on alarms (alarm_id)",
    "create index episodes_by_id on episodes (episode_id)",
    *(f"create index {table}_by_death on {table} (died)" for table in STORE_TABLES),
)
# The current row(s) of a changed record are retired (params: generation, key_2[, key_1]).
_CURRENT = "died is null"
RETIRE_CHANGED = {
    "network_events": "update network_events set died = ? "
                      f"where source_record_id = ? and item_type = ? and {_CURRENT}",
    "alarms": f"update alarms set died = ? where alarm_id = ? and {_CURRENT}",
    "episodes": f"update episodes set died = ? where episode_id = ? and {_CURRENT}",
    "kpi_days": f"update kpi_days set died = ? where day_key = ? and cell_id = ? and {_CURRENT}",
}


# What a document store holds and how: a store written by another version is not reused.
STORE_FORMAT = hashlib.sha256("\x00".join(
    (DOCUMENT_FORMAT, KPI_DAYS_SHOWN, KPI_DAYS_HASHED, KPI_DAYS_HASHED_SINCE, KPI_DAYS_CARRIED,
     NETWORK_FINGERPRINTS, *CREATE_STORE_TABLES,
     *(sql for _, _, sql in STORE_TABLES.values()))).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class KpiDaysSince:
    """A previous snapshot whose KPI-day fingerprints a publish can carry over: its network
    fingerprints table (attached), and the newest `_loaded_at` of the flagged hours it took in
    (of the series the warehouse still holds)."""

    fingerprints: str
    loaded_through: datetime


def create_network_fingerprints(con: duckdb.DuckDBPyConnection, db: str, table: str,
                                as_of: datetime, since: KpiDaysSince | None = None) -> None:
    """Create the temporary table `table` (store_table, key_1, key_2, fingerprint): one row per
    network record shown as of `as_of` (naive UTC), the KPI days unchanged `since` a previous
    snapshot carried over from it rather than hashed again."""
    cols = content_columns(con, db, NETWORK_SOURCES)
    con.execute("create or replace temp table kpi_days_shown as select cell_id, day, "
                "strftime(day, '%Y-%m-%d') as day_key from ("
                + KPI_DAYS_SHOWN.format(db=db, as_of=_timestamp(as_of)) + ")")
    if since is None:
        con.execute(f"create or replace temp table kpi_days_hashed as {KPI_DAYS_HASHED}")
        carried = ""
    else:
        con.execute("create or replace temp table previous_kpi_days as "
                    + PREVIOUS_KPI_DAYS.format(fingerprints=since.fingerprints))
        con.execute("create or replace temp table kpi_days_hashed as " + KPI_DAYS_HASHED_SINCE
                    .format(db=db, loaded_through=_timestamp(since.loaded_through)))
        carried = KPI_DAYS_CARRIED
    first, last = con.execute("select min(day), max(day) from kpi_days_hashed").fetchone()
    con.execute(f"create or replace temp table {table} as " + NETWORK_FINGERPRINTS.format(
        db=db, cols=cols, carried=carried,
        first_day=_timestamp(first) if first else "null",
        after_last_day=_timestamp(last + timedelta(days=1)) if last else "null"))


def _timestamp(moment: datetime) -> str:
    """A naive UTC time as a SQL literal, to the microsecond (a watermark of load times)."""
    return f"timestamp '{moment:%Y-%m-%d %H:%M:%S.%f}'"


def network_rows(con: duckdb.DuckDBPyConnection, db: str, changed: str,
                 batch_rows: int = 20_000) -> Iterator[tuple[str, list[tuple]]]:
    """(store table, batch of rows) of the records listed in the table `changed` (store_table,
    key_1, key_2) that exist in the warehouse."""
    con.execute(ISO_UTC)
    for store_table, (_, _, sql) in STORE_TABLES.items():
        con.execute(f"create or replace temp table network_changed_keys as select key_1, key_2 "
                    f"from {changed} where store_table = ?", [store_table])
        result = con.execute(sql.format(db=db, changed="network_changed_keys"))
        while batch := result.fetchmany(batch_rows):
            yield store_table, batch

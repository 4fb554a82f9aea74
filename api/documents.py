"""The trace documents: each ticket's trace (audit-rules §7) assembled once, at publish time,
by vectorised SQL over the warehouse's marts, so serving a trace is one key lookup.

Each document is one row per ticket: the customer's fields (the API masks them per role at
request time) and two JSON texts, `ticket_json` and `body_json` (sla, network_trace,
linked_cells, timeline, findings), in the shape of `schemas.TracePublic`, stored in the
snapshot's document store (`docstore.py`); a test validates
documents against that model so the two cannot drift. Mart columns are named here and in
`queries.py` only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import duckdb

ISO_UTC = """create or replace temp macro iso_utc(ts) as
    strftime(ts, '%Y-%m-%dT%H:%M:%S')
    || case when microsecond(ts) % 1000000 <> 0
            then '.' || lpad((microsecond(ts) % 1000000)::varchar, 6, '0') else '' end
    || 'Z'"""

# One readable line per timeline item (concat_ws skips nulls; `'by ' || null` is null).
READABLE = """case
    when t.item_type = 'ticket_event' then
        concat_ws(' ', replace(coalesce(t.summary, t.item_type), '_', ' '),
                  'by ' || t.department, '(' || t.code || ')', '-> ' || t.status)
        || coalesce(': ' || t.detail, '')
    when t.item_type = 'crm_contact' then
        coalesce(t.summary, 'contact') || coalesce(' about ' || t.detail, '')
    when t.item_type like 'alarm\\_%' escape '\\' or t.item_type like 'degradation\\_%' escape '\\'
        then coalesce(t.summary, replace(t.item_type, '_', ' '))
             || coalesce(' on cell ' || t.cell_id, '') || coalesce(', ' || t.detail, '')
    when t.item_type = 'survey' then
        coalesce(t.summary, 'survey') || ': ' || coalesce(t.status, 'no verdict')
        || coalesce(', score ' || t.code, '')
    else coalesce(t.summary, replace(t.item_type, '_', ' ')) || coalesce(' (' || t.code || ')', '')
end"""

KPIS = ("prb_util_dl_pct", "user_dl_rate_mbps", "access_success_pct", "drop_rate_pct",
        "good_coverage_pct")


def _kpi_struct(phase: str) -> str:
    fields = [f"hours_with_data := c.{phase}_hours_with_data",
              f"degraded_hours := c.{phase}_degraded_hours",
              *(f"{k} := c.{phase}_avg_{k}" for k in KPIS),
              f"traffic_gb := c.{phase}_traffic_gb"]
    return "struct_pack(" + ", ".join(fields) + ")"


# A finding's run provenance (run id, as-of, found at) is the latest audit's, the same for every
# finding, so documents leave it null and the API fills it in from the snapshot (`trace.py`):
# otherwise every ticket with a finding would need a new document on every run.
PROVENANCE_PLACEHOLDER = ("run_id := null::varchar, as_of := null::varchar, "
                          "found_at := null::varchar")
PROVENANCE_PLACEHOLDER_JSON = '"run_id":null,"as_of":null,"found_at":null}'

# The tickets one documents query builds: the temp table `doc_chunk` (see `document_rows`).
IN_CHUNK = "ticket_id in (select ticket_id from doc_chunk)"


def _ticket_alarm_ids(timeline: str, facts_filter: str = "") -> str:
    """(ticket_id, alarm_id) of the alarms a trace shows: the edges on its timeline (the
    timeline mart applies the window) plus the alarms the F1 facts found active at resolution,
    which may predate the window. Shared by the documents and their fingerprints, so what is
    hashed is what is shown. `{db}` stays a placeholder."""
    return f"""select ticket_id, source_record_id as alarm_id from {timeline}
    where item_type in ('alarm_raised', 'alarm_cleared')
    union
    select f.ticket_id, unnest(string_split(f.f1_alarm_ids, ',')) as alarm_id
    from {{db}}.main.fct_audit_facts as f
    where coalesce(f.f1_alarm_ids, '') <> ''{facts_filter}"""


def _ticket_episode_ids(timeline: str) -> str:
    """(ticket_id, episode_id) of the degradation episodes a trace shows (shared likewise)."""
    return f"""select distinct ticket_id, source_record_id as episode_id from {timeline}
          where item_type like 'degradation\\_%' escape '\\'"""


DOCUMENTS = f"""
with
timeline as (
    select t.ticket_id, t.item_at, t.item_type, t.source_record_id,
           struct_pack(at := iso_utc(t.item_at), type := t.item_type,
                       source_system := t.source_system, source_table := t.source_table,
                       source_record_id := t.source_record_id, summary := {READABLE},
                       cell_id := t.cell_id, department := t.department, status := t.status,
                       code := t.code, detail := t.detail) as item
    from {{db}}.main.fct_ticket_timeline as t
    where t.{IN_CHUNK}
),
-- each item serialised once and joined as text: a list of structs re-copies every nested
-- string while it aggregates (at 31 days of history a ticket's timeline holds ~64 items)
timelines as (
    select ticket_id,
           ('[' || string_agg(to_json(item)::varchar, ','
                              order by item_at, source_record_id, item_type) || ']')::json
               as items
    from timeline group by ticket_id
),
ticket_alarm_ids as (
    {_ticket_alarm_ids("timeline", f" and f.{IN_CHUNK}")}
),
cell_alarms as (
    select i.ticket_id, a.cell_id,
           list(struct_pack(alarm_id := a.alarm_id, severity := a.severity,
                            alarm_type := a.alarm_type, raised_at := iso_utc(a.raised_at),
                            cleared_at := iso_utc(a.cleared_at))
                order by a.raised_at, a.alarm_id) as alarms
    from ticket_alarm_ids as i
    inner join {{db}}.main.stg_netops__alarms as a on a.alarm_id = i.alarm_id
    group by i.ticket_id, a.cell_id
),
cell_episodes as (
    select i.ticket_id, e.cell_id,
           list(struct_pack(started_at := iso_utc(e.episode_start_at),
                            ended_at := iso_utc(e.episode_end_at),
                            degraded_hours := e.degraded_hours,
                            worst := struct_pack({", ".join(f"{k} := e.worst_{k}" for k in KPIS)}))
                order by e.episode_start_at) as episodes
    from ({_ticket_episode_ids("timeline")}) as i
    inner join {{db}}.main.fct_cell_degradation_episodes as e on e.episode_id = i.episode_id
    group by i.ticket_id, e.cell_id
),
cells as (
    select c.ticket_id,
           list(struct_pack(
               cell_id := c.cell_id, rank := c.cell_rank, dwell_seconds := c.dwell_seconds,
               session_hours := c.session_hours,
               inventory := struct_pack(cell_name := c.cell_name, site_id := c.site_id,
                                        rat := c.rat, site_type := c.site_type,
                                        district := c.district, latitude := c.latitude,
                                        longitude := c.longitude, status := c.cell_status),
               kpi_before := {_kpi_struct("window")}, kpi_after := {_kpi_struct("after")},
               alarms := coalesce(ca.alarms, []), degradation_episodes := coalesce(ce.episodes, [])
           ) order by c.cell_rank, c.cell_id) as linked_cells
    from {{db}}.main.fct_ticket_cells as c
    left join cell_alarms as ca on ca.ticket_id = c.ticket_id and ca.cell_id = c.cell_id
    left join cell_episodes as ce on ce.ticket_id = c.ticket_id and ce.cell_id = c.cell_id
    where c.{IN_CHUNK}
    group by c.ticket_id
),
findings as (
    select ticket_id,
           list(struct_pack(ticket_id := ticket_id, rule_id := rule_id, rule_name := rule_name,
                            severity := severity, department := department,
                            evidence := coalesce(evidence, '{{{{}}}}')::json,
                            {PROVENANCE_PLACEHOLDER})
                order by rule_id) as items,
           list(struct_pack(rule_id := rule_id, rule_name := rule_name, severity := severity,
                            department := department) order by rule_id)
               filter (where rule_id in ('T1', 'T2', 'T3')) as breaches,
           bool_or(evidence ilike '%msisdn%') as evidence_has_pii
    from {{db}}.audit.findings as fi where fi.{IN_CHUNK} group by ticket_id
),
customers as (
    select d.ticket_id, max_by(c.customer_name, coalesce(c.valid_from, timestamp '0001-01-01'))
               as customer_name
    from {{db}}.main.dim_tickets as d
    inner join {{db}}.main.stg_crm__customers as c
        on c.customer_id = d.customer_id
        and coalesce(c.valid_from <= d.created_at, true)
        and coalesce(c.valid_to > d.created_at, true)
    where d.{IN_CHUNK}
    group by d.ticket_id
)
select
    d.ticket_id, d.customer_id, d.msisdn, cu.customer_name, d.tier_at_creation, d.segment,
    coalesce(fi.evidence_has_pii, false) as evidence_has_pii,
    to_json(struct_pack(
        ticket_id := d.ticket_id, created_at := iso_utc(d.created_at), channel := d.channel,
        category := d.category, category_family := d.category_family, priority := d.priority,
        description := d.description, reported_district := d.reported_district,
        status := d.status_at_as_of, owning_department := d.owning_department,
        resolved_at := iso_utc(d.resolved_at), closure_code := d.closure_code,
        reopened_from_ticket_id := d.reopened_from_ticket_id))::varchar as ticket_json,
    to_json(struct_pack(
        sla := struct_pack(
            first_contact_limit_minutes := f.first_contact_limit_minutes,
            resolution_limit_minutes := f.resolution_limit_minutes,
            first_contact_at := iso_utc(f.first_contact_at),
            first_contact_source := f.first_contact_source,
            first_contact_record_id := f.first_contact_record_id,
            first_contact_delay_minutes := f.first_contact_delay_minutes,
            first_contact_deadline_at := iso_utc(f.first_contact_deadline_at),
            resolution_deadline_at := iso_utc(f.resolution_deadline_at),
            resolution_clock_minutes := f.resolution_clock_minutes,
            clock_minutes_at_as_of := f.clock_minutes_at_as_of,
            pending_minutes := f.pending_minutes, is_open_at_as_of := f.is_open_at_as_of,
            breaches := coalesce(fi.breaches, [])),
        network_trace := coalesce(d.network_trace,
                                  case when ce.linked_cells is null then 'missing'
                                       else 'present' end),
        linked_cells := coalesce(ce.linked_cells, []),
        timeline := coalesce(tl.items, '[]'::json),
        findings := coalesce(fi.items, [])))::varchar as body_json
from {{db}}.main.dim_tickets as d
left join {{db}}.main.fct_audit_facts as f on f.ticket_id = d.ticket_id
left join cells as ce on ce.ticket_id = d.ticket_id
left join timelines as tl on tl.ticket_id = d.ticket_id
left join findings as fi on fi.ticket_id = d.ticket_id
left join customers as cu on cu.ticket_id = d.ticket_id
where d.{IN_CHUNK}
order by d.ticket_id  -- appends to the document store's B-tree in key order
"""

# The tables the documents are built from (`{db}` is the warehouse at publish time).
DOCUMENT_SOURCES = ("main.dim_tickets", "main.fct_audit_facts", "main.fct_ticket_cells",
                    "main.fct_ticket_timeline", "main.fct_cell_degradation_episodes",
                    "main.stg_netops__alarms", "main.stg_crm__customers", "audit.findings")
COLUMNS = ("ticket_id", "customer_id", "msisdn", "customer_name", "tier_at_creation", "segment",
           "evidence_has_pii", "ticket_json", "body_json")

# Columns that say when or by which run a row was built, not what a document shows: a rebuilt
# row with the same content must not make its ticket's document look changed.
NOT_CONTENT = frozenset({"dagster_run_id", "dbt_invocation_id", "built_as_of", "loaded_through",
                         "as_of", "_source_file", "_source_row", "_loaded_at", "run_id",
                         "found_at"})

# Every input of a document, hashed per ticket (sum of row hashes: order-free). Two publishes
# give a ticket the same fingerprint exactly when its document's inputs are the same, so only
# tickets whose fingerprint changed get a new document. `{cols[table]}` lists a table's content
# columns (its columns minus NOT_CONTENT, read from the warehouse).
FINGERPRINTS = f"""
with
timeline as (
    select ticket_id, sum(hash({{cols[fct_ticket_timeline]}})) as h
    from {{db}}.main.fct_ticket_timeline group by ticket_id
),
alarm_ids as (
    {_ticket_alarm_ids("{db}.main.fct_ticket_timeline")}
),
alarms as (
    select i.ticket_id, sum(hash({{cols[stg_netops__alarms]}})) as h
    from alarm_ids as i inner join {{db}}.main.stg_netops__alarms as a on a.alarm_id = i.alarm_id
    group by i.ticket_id
),
episodes as (
    select i.ticket_id, sum(hash({{cols[fct_cell_degradation_episodes]}})) as h
    from ({_ticket_episode_ids("{db}.main.fct_ticket_timeline")}) as i
    inner join {{db}}.main.fct_cell_degradation_episodes as e on e.episode_id = i.episode_id
    group by i.ticket_id
),
cells as (
    select ticket_id, sum(hash({{cols[fct_ticket_cells]}})) as h
    from {{db}}.main.fct_ticket_cells group by ticket_id
),
findings as (
    select ticket_id, sum(hash({{cols[findings]}})) as h
    from {{db}}.audit.findings group by ticket_id
),
customers as (
    select d.ticket_id, sum(hash({{cols[stg_crm__customers]}})) as h
    from {{db}}.main.dim_tickets as d
    inner join {{db}}.main.stg_crm__customers as c on c.customer_id = d.customer_id
    group by d.ticket_id
)
select d.ticket_id,
       hash({{cols[dim_tickets]}}, hash({{cols[fct_audit_facts]}}), cells.h, timeline.h,
            alarms.h, episodes.h, findings.h, customers.h) as fingerprint
from {{db}}.main.dim_tickets as d
left join {{db}}.main.fct_audit_facts as f on f.ticket_id = d.ticket_id
left join cells on cells.ticket_id = d.ticket_id
left join timeline on timeline.ticket_id = d.ticket_id
left join alarms on alarms.ticket_id = d.ticket_id
left join episodes on episodes.ticket_id = d.ticket_id
left join findings on findings.ticket_id = d.ticket_id
left join customers on customers.ticket_id = d.ticket_id
"""
_FINGERPRINT_ALIASES = {"dim_tickets": "d", "fct_audit_facts": "f", "stg_netops__alarms": "a",
                        "fct_cell_degradation_episodes": "e", "stg_crm__customers": "c"}

# Changes whenever the documents' SQL or layout changes: a document store written by another
# version is not reused (the next publish rebuilds every document).
DOCUMENT_FORMAT = hashlib.sha256("\x00".join(
    (DOCUMENTS, FINGERPRINTS, *COLUMNS, *sorted(NOT_CONTENT))).encode()).hexdigest()[:16]


def _content_columns(con: duckdb.DuckDBPyConnection, db: str) -> dict[str, str]:
    """Per source table, its content columns as a SQL list (qualified by the table's alias in
    FINGERPRINTS where it has one)."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = ? and list_contains(?, table_schema || '.' || table_name)"
        " order by table_name, ordinal_position",
        [db.strip('"').replace('""', '"'), list(DOCUMENT_SOURCES)]).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        if column not in NOT_CONTENT:
            alias = _FINGERPRINT_ALIASES.get(table)
            quoted = '"' + column.replace('"', '""') + '"'
            columns.setdefault(table, []).append(f"{alias}.{quoted}" if alias else quoted)
    return {table: ", ".join(cols) for table, cols in columns.items()}


def create_fingerprints(con: duckdb.DuckDBPyConnection, db: str, table: str) -> None:
    """Create the temporary table `table` (ticket_id, fingerprint): one row per ticket."""
    con.execute(f"create or replace temp table {table} as "
                + FINGERPRINTS.format(db=db, cols=_content_columns(con, db)))


def document_rows(con: duckdb.DuckDBPyConnection, db: str, tickets: str,
                  chunk_tickets: int = 50_000, batch_rows: int = 5000) -> Iterator[list[tuple]]:
    """The documents (columns `COLUMNS`) of the tickets listed in the table `tickets` (column
    ticket_id), in batches ordered by ticket id. Built `chunk_tickets` tickets at a time: a
    document's lists are aggregated in memory (DuckDB cannot spill a list aggregate), so one
    query over weeks of history would need more memory than the pipeline may use."""
    con.execute(ISO_UTC)
    con.execute(f"""create or replace temp table doc_chunks as
        select ticket_id, (row_number() over (order by ticket_id) - 1) // {int(chunk_tickets)}
            as chunk
        from (select distinct ticket_id from {tickets})""")
    chunks = con.execute("select coalesce(max(chunk) + 1, 0) from doc_chunks").fetchone()[0]

    sql = DOCUMENTS.format(db=db)
    for chunk in range(chunks):
        # the previous chunk's result is exhausted before the next statement runs
        con.execute("create or replace temp table doc_chunk as "
                    "select ticket_id from doc_chunks where chunk = ?", [chunk])
        result = con.execute(sql)
        while batch := result.fetchmany(batch_rows):
            yield batch

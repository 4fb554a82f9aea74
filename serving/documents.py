"""The trace documents: each ticket's trace (audit-rules §7) assembled once, at publish time,
by vectorised SQL over the warehouse's marts, so serving a trace is one key lookup.

Each document is one row per ticket: the customer's fields (the API masks them per role at
request time) and two JSON texts, `ticket_json` and `body_json` (sla, network_trace,
linked_cells, timeline, findings), in the shape of `schemas.TracePublic`, stored in the
snapshot's document store (`docstore.py`); a test validates
documents against that model so the two cannot drift. Mart columns are named here and in
`api/queries.py` only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import duckdb

from serving.layout import DOCUMENT_COLUMNS

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

# A document holds the ticket's own timeline items (`int_ticket_items_unioned`); the network
# events of its linked cells are served per cell (`network.py`) and spliced in when read.


def event_key(column: str) -> str:
    """Sortable text of a timestamp (microseconds, fixed width): the network events' key in the
    document store, and the window bounds a document carries."""
    return f"strftime({column}, '%Y-%m-%d %H:%M:%S.%f')"


def timeline_item(at: str) -> str:
    """The struct of one timeline item as a trace shows it, from a row aliased `t` with the
    timeline mart's columns (`at` is the row's time column). One definition for the items
    stored in documents and the network events stored per cell (`network.py`)."""
    return f"""struct_pack(at := iso_utc({at}), type := t.item_type,
                       source_system := t.source_system, source_table := t.source_table,
                       source_record_id := t.source_record_id, summary := {READABLE},
                       cell_id := t.cell_id, department := t.department, status := t.status,
                       code := t.code, detail := t.detail,
                       action := case when t.item_type = 'ticket_event' then t.summary end)"""


KPIS = ("prb_util_dl_pct", "user_dl_rate_mbps", "access_success_pct", "drop_rate_pct",
        "good_coverage_pct")


def _kpi_struct(phase: str) -> str:
    fields = [f"hours_with_data := c.{phase}_hours_with_data",
              f"degraded_hours := c.{phase}_degraded_hours",
              *(f"{k} := c.{phase}_avg_{k}" for k in KPIS),
              f"traffic_gb := c.{phase}_traffic_gb"]
    return "struct_pack(" + ", ".join(fields) + ")"


# The tickets one documents query builds: the temp table `doc_chunk` (see `document_rows`).
IN_CHUNK = "ticket_id in (select ticket_id from doc_chunk)"


DOCUMENTS = f"""
with
timeline as (
    select t.ticket_id, t.item_at, t.item_type, t.source_record_id,
           {timeline_item("t.item_at")} as item
    from {{db}}.main.int_ticket_items_unioned as t
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
cells as (
    select c.ticket_id,
           list(struct_pack(
               cell_id := c.cell_id, rank := c.cell_rank, dwell_seconds := c.dwell_seconds,
               session_hours := c.session_hours,
               inventory := struct_pack(cell_name := c.cell_name, site_id := c.site_id,
                                        rat := c.rat, site_type := c.site_type,
                                        district := c.district, latitude := c.latitude,
                                        longitude := c.longitude, status := c.cell_status),
               kpi_before := {_kpi_struct("window")}, kpi_after := {_kpi_struct("after")}
           ) order by c.cell_rank, c.cell_id) as linked_cells,
           list(c.cell_id order by c.cell_rank, c.cell_id) as cell_ids
    from {{db}}.main.fct_ticket_cells as c
    where c.{IN_CHUNK}
    group by c.ticket_id
),
findings as (
    select ticket_id,
           list(struct_pack(ticket_id := ticket_id, rule_id := rule_id, rule_name := rule_name,
                            severity := severity, department := department,
                            evidence := coalesce(evidence, '{{{{}}}}')::json,
                            run_id := run_id, as_of := iso_utc(as_of),
                            found_at := iso_utc(found_at))
                order by rule_id) as items,
           list(struct_pack(rule_id := rule_id, rule_name := rule_name, severity := severity,
                            department := department) order by rule_id)
               filter (where rule_id in ('T1', 'T2', 'T3')) as breaches,
           bool_or(evidence ilike '%msisdn%') as evidence_has_pii
    from {{db}}.audit.findings as fi where fi.{IN_CHUNK} group by ticket_id
),
warnings as (
    select ticket_id,
           list(struct_pack(sla_limit := sla_limit, limit_minutes := limit_minutes,
                            used_minutes := used_minutes, share_used := share_used,
                            minutes_left := minutes_left, deadline_at := iso_utc(deadline_at),
                            warning_level_pct := warning_level_pct, is_breached := is_breached,
                            department := department)
                order by sla_limit) as items
    from {{db}}.main.fct_sla_warnings as w where w.{IN_CHUNK} group by ticket_id
),
clock_segments as (
    select ticket_id,
           list(struct_pack(state := clock_state, started_at := iso_utc(segment_start_at),
                            ended_at := iso_utc(segment_end_at), began_by := began_by,
                            began_by_event_id := began_by_event_id,
                            department := began_by_department,
                            counted_minutes := counted_minutes,
                            running_total_minutes := running_total_minutes)
                order by segment_seq) as items
    from {{db}}.main.fct_sla_clock_segments as s where s.{IN_CHUNK} group by ticket_id
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
            policy_id := f.policy_id,
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
            breaches := coalesce(fi.breaches, []), warnings := coalesce(wa.items, []),
            clock_segments := coalesce(cs.items, [])),
        network_trace := coalesce(d.network_trace,
                                  case when ce.linked_cells is null then 'missing'
                                       else 'present' end),
        linked_cells := coalesce(ce.linked_cells, []),
        timeline := coalesce(tl.items, '[]'::json),
        findings := coalesce(fi.items, [])))::varchar as body_json,
    -- where the reader finds the network events this trace shows (`network.py`)
    case when ce.cell_ids is not null then to_json(struct_pack(
        cells := ce.cell_ids, "from" := {event_key("d.network_window_start_at")},
        "until" := {event_key("d.network_window_end_at")},
        kpi_until := {event_key("d.kpi_chart_end_at")},
        f1_alarm_ids := coalesce(list_filter(string_split(f.f1_alarm_ids, ','),
                                             lambda a: a <> ''), [])))::varchar
    end as network_json
from {{db}}.main.dim_tickets as d
left join {{db}}.main.fct_audit_facts as f on f.ticket_id = d.ticket_id
left join cells as ce on ce.ticket_id = d.ticket_id
left join timelines as tl on tl.ticket_id = d.ticket_id
left join findings as fi on fi.ticket_id = d.ticket_id
left join customers as cu on cu.ticket_id = d.ticket_id
left join warnings as wa on wa.ticket_id = d.ticket_id
left join clock_segments as cs on cs.ticket_id = d.ticket_id
where d.{IN_CHUNK}
order by d.ticket_id  -- appends to the document store's B-tree in key order
"""

# The tables the documents are built from (`{db}` is the warehouse at publish time).
DOCUMENT_SOURCES = ("main.dim_tickets", "main.fct_audit_facts", "main.fct_ticket_cells",
                    "main.int_ticket_items_unioned", "main.stg_crm__customers", "audit.findings",
                    "main.fct_sla_warnings", "main.fct_sla_clock_segments")
COLUMNS = DOCUMENT_COLUMNS

# Columns that say when or by which run a row was built, not what a document shows: a rebuilt
# row with the same content must not make its ticket's document look changed.
NOT_CONTENT = frozenset({"dagster_run_id", "dbt_invocation_id", "built_as_of", "loaded_through",
                         "changes_through", "flagged_series", "_source_file", "_source_row",
                         "_loaded_at"})

# Every input of a document, hashed per ticket (sum of row hashes: order-free). Two publishes
# give a ticket the same fingerprint exactly when its document's inputs are the same, so only
# tickets whose fingerprint changed get a new document. `{cols[table]}` lists a table's content
# columns (its columns minus NOT_CONTENT, read from the warehouse); `{scope}` is the table of
# the ticket ids to fingerprint.
IN_SCOPE = "ticket_id in (select ticket_id from {scope})"
FINGERPRINTS = f"""
with
timeline as (
    select ticket_id, sum(hash({{cols[int_ticket_items_unioned]}})) as h
    from {{db}}.main.int_ticket_items_unioned where {IN_SCOPE}
    group by ticket_id
),
cells as (
    select ticket_id, sum(hash({{cols[fct_ticket_cells]}})) as h
    from {{db}}.main.fct_ticket_cells where {IN_SCOPE} group by ticket_id
),
findings as (
    select ticket_id, sum(hash({{cols[findings]}})) as h
    from {{db}}.audit.findings where {IN_SCOPE} group by ticket_id
),
warnings as (
    select ticket_id, sum(hash({{cols[fct_sla_warnings]}})) as h
    from {{db}}.main.fct_sla_warnings where {IN_SCOPE} group by ticket_id
),
clock_segments as (
    select ticket_id, sum(hash({{cols[fct_sla_clock_segments]}})) as h
    from {{db}}.main.fct_sla_clock_segments where {IN_SCOPE} group by ticket_id
),
customers as (
    select d.ticket_id, sum(hash({{cols[stg_crm__customers]}})) as h
    from {{db}}.main.dim_tickets as d
    inner join {{db}}.main.stg_crm__customers as c on c.customer_id = d.customer_id
    where d.{IN_SCOPE}
    group by d.ticket_id
)
select d.ticket_id,
       hash({{cols[dim_tickets]}}, hash({{cols[fct_audit_facts]}}), cells.h, timeline.h,
            findings.h, customers.h, warnings.h, clock_segments.h) as fingerprint
from {{db}}.main.dim_tickets as d
left join {{db}}.main.fct_audit_facts as f on f.ticket_id = d.ticket_id
left join cells on cells.ticket_id = d.ticket_id
left join timeline on timeline.ticket_id = d.ticket_id
left join findings on findings.ticket_id = d.ticket_id
left join customers on customers.ticket_id = d.ticket_id
left join warnings on warnings.ticket_id = d.ticket_id
left join clock_segments on clock_segments.ticket_id = d.ticket_id
where d.{IN_SCOPE}
"""
_FINGERPRINT_ALIASES = {"dim_tickets": "d", "fct_audit_facts": "f", "stg_crm__customers": "c"}

# Changes whenever the documents' SQL or layout changes: a document store written by another
# version is not reused (the next publish rebuilds every document).
DOCUMENT_FORMAT = hashlib.sha256("\x00".join(
    (DOCUMENTS, FINGERPRINTS, *COLUMNS, *sorted(NOT_CONTENT))).encode()).hexdigest()[:16]


def content_columns(con: duckdb.DuckDBPyConnection, db: str,
                    sources: tuple[str, ...] = DOCUMENT_SOURCES) -> dict[str, str]:
    """Per source table, its content columns as a SQL list (qualified by the table's alias in
    FINGERPRINTS where it has one)."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = ? and list_contains(?, table_schema || '.' || table_name)"
        " order by table_name, ordinal_position",
        [db.strip('"').replace('""', '"'), list(sources)]).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        if column not in NOT_CONTENT:
            alias = _FINGERPRINT_ALIASES.get(table)
            quoted = '"' + column.replace('"', '""') + '"'
            columns.setdefault(table, []).append(f"{alias}.{quoted}" if alias else quoted)
    return {table: ", ".join(cols) for table, cols in columns.items()}


def create_fingerprints(con: duckdb.DuckDBPyConnection, db: str, table: str,
                        scope: str | None = None) -> None:
    """Create the temporary table `table` (ticket_id, fingerprint): one row per ticket of the
    table `scope` (column ticket_id) that the warehouse holds, or of every ticket."""
    if scope is None:
        con.execute(f"create or replace temp table fingerprint_scope as "
                    f"select ticket_id from {db}.main.dim_tickets")
        scope = "fingerprint_scope"
    con.execute(f"create or replace temp table {table} as "
                + FINGERPRINTS.format(db=db, cols=content_columns(con, db), scope=scope))


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

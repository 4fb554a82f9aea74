"""The industry's standard formats a landing may also hold (docs/spec/standard-feeds.md), each
a landing folder loaded under the same manifest, idempotence and quarantine rules as the
contract's entities (`connectors/loader.py`). Two kinds:

- a feed with its own raw table, typed by its reader (`PM_XML`: a PM file holds one
  quarter-hour of counters and an hourly KPI row needs four files, so the roll-up to the
  contract's rows happens in dbt);
- a feed whose records become rows of contract entities (`TMF642`, `VES` into
  `netops/alarms`; `TMF621` into `ticketing/tickets` and `ticketing/ticket_events`): staged
  as text and checked by the contract's own rules, into those entities' raw tables, by an
  ingestion asset of its own upstream of theirs.
"""

from __future__ import annotations

from complaint_trace.contract import ENTITIES, Column, Entity, entity

# 3GPP TS 32.435 measCollecFile / TS 28.532 measData: one row per measValue (one object in one
# granularity period) with its results as lists, one element per result (`<r>` or one value of
# `<measResults>`); `_source_row` is its first result's row. `value_counts` and `result_rows`
# list each result's number of values and row, and are null in the regular case (each result
# one value, on consecutive rows): lists of ones and of consecutive numbers were a third of
# the loader's insert;
# the results' counter names are one string (`pm_rows.COUNTER_SEPARATOR`). One row per result
# would cost the loader ~4 times as much to insert and commit, a list of names twice; staging
# (`stg_netops__pm_xml`) unnests the lists into one row per result.
PM_XML = Entity("netops", "pm_xml", ("_source_file", "_source_row"), (
    Column("vendor_name", "string"),
    Column("dn_prefix", "string"),
    Column("managed_element", "string"),
    Column("meas_info_id", "string"),
    Column("job_id", "string"),
    Column("period_end", "timestamp", required=True),
    Column("period_seconds", "integer", required=True, min=1),
    Column("meas_obj_ldn", "string", required=True),
    Column("counter_names", "string", required=True),
    Column("result_values", "double[]", required=True),
    Column("value_counts", "integer[]"),
    Column("result_rows", "bigint[]"),
    Column("is_suspect", "boolean"),
))
_ALARMS = entity("netops/alarms")
# TM Forum TMF642 Alarm resources and ONAP VES 7 fault events: alarm rows
TMF642 = Entity("netops", "tmf642", _ALARMS.key)
VES = Entity("netops", "ves", _ALARMS.key)
# TM Forum TMF621 TroubleTicket resources: a ticket row and one event row per status change
TMF621 = Entity("ticketing", "tmf621", ("id",))

TYPED_FEEDS: tuple[Entity, ...] = (PM_XML,)
# feed -> the contract entities its records become, the first taking a record refused whole
RECORD_FEEDS: dict[Entity, tuple[Entity, ...]] = {
    TMF621: (entity("ticketing/tickets"), entity("ticketing/ticket_events")),
    TMF642: (_ALARMS,), VES: (_ALARMS,),
}
STANDARD_FEEDS: tuple[Entity, ...] = (*TYPED_FEEDS, *RECORD_FEEDS)
# every landing folder the loader reads: the contract's entities, then the standard feeds
LANDING_FOLDERS: tuple[Entity, ...] = (*ENTITIES, *STANDARD_FEEDS)
# the folders with a raw table (and an ingestion asset) of their own
RAW_TABLE_FOLDERS: tuple[Entity, ...] = (*ENTITIES, *TYPED_FEEDS)


def target_entities(folder: Entity) -> tuple[Entity, ...]:
    """The entities whose raw tables a folder's rows go into: its own, or a record feed's."""
    return RECORD_FEEDS.get(folder, (folder,))


def feeds_into(target: Entity) -> tuple[Entity, ...]:
    """The record feeds whose rows go into `target`'s raw table."""
    return tuple(feed for feed, into in RECORD_FEEDS.items() if target in into)

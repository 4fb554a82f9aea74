"""The industry's standard formats a landing may also hold (docs/spec/standard-feeds.md), each
a landing folder with its own raw table, loaded under the same manifest, idempotence and
quarantine rules as the contract's entities (`connectors/loader.py`).

A standard feed's raw table keeps the file's own records, typed; the dbt staging models turn
them into the contract's rows (a PM file holds one quarter-hour of counters, an hourly KPI row
needs four files, so the roll-up cannot happen per file).
"""

from __future__ import annotations

from complaint_trace.contract import ENTITIES, Column, Entity

# 3GPP TS 32.435 measCollecFile / TS 28.532 measData: one row per measurement result (`<r>` or
# one value of `<measResults>`) of one object in one granularity period
PM_XML = Entity("netops", "pm_xml", ("_source_file", "_source_row"), (
    Column("vendor_name", "string"),
    Column("dn_prefix", "string"),
    Column("managed_element", "string"),
    Column("meas_info_id", "string"),
    Column("job_id", "string"),
    Column("period_end", "timestamp", required=True),
    Column("period_seconds", "integer", required=True, min=1),
    Column("meas_obj_ldn", "string", required=True),
    Column("counter", "string", required=True),
    Column("value", "double"),
    Column("value_count", "integer", min=0),
    Column("is_suspect", "boolean"),
))

STANDARD_FEEDS: tuple[Entity, ...] = (PM_XML,)
# every landing folder the loader reads: the contract's entities, then the standard feeds
LANDING_FOLDERS: tuple[Entity, ...] = (*ENTITIES, *STANDARD_FEEDS)

"""Which facts an audit validates: the tickets whose facts changed since the last complete
audit, or all of them.

`fct_audit_facts` is incremental by ticket: each row carries the number of the build that
changed it last (`changes_through`, from `int_tickets_changed`). `audit.audit_state` keeps the
number the last complete audit (rules, findings and rollup) took in and the rule
configuration it applied. The next audit validates only the rows numbered later, as long as
the configuration is the same and the facts were not rebuilt from scratch since (a full
refresh numbers builds from 1 again, and a new first build is the only way the newest
number goes down); otherwise every ticket. An audit that failed part-way leaves the state
behind, so the next one takes in what it missed.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime

import duckdb

from quality_checks.config import AuditConfig
from quality_checks.facts import FACTS_TABLE

STATE_DDL = """
create schema if not exists audit;
create table if not exists audit.audit_state (
    changes_through bigint, config varchar, facts_built_by varchar, as_of timestamp
);
"""


def config_fingerprint(cfg: AuditConfig) -> str:
    """What the rules apply: the thresholds and the catalogue (a change re-audits all)."""
    return hashlib.sha256(repr(sorted(asdict(cfg).items())).encode()).hexdigest()[:16]


def facts_state(con: duckdb.DuckDBPyConnection) -> tuple[int | None, str | None]:
    """The facts' newest build number and the dbt invocation of their first build number
    (None, None when the facts do not carry build numbers: hand-made tables)."""
    schema, table = FACTS_TABLE.split(".")
    columns = {name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_catalog = "
        "current_database() and table_schema = ? and table_name = ?", [schema, table]).fetchall()}
    if "changes_through" not in columns:
        return None, None
    row = con.execute(f"select max(changes_through), min(changes_through) from {FACTS_TABLE}"
                      ).fetchone()
    first = con.execute(
        f"select min(dbt_invocation_id) from {FACTS_TABLE} where changes_through = ?",
        [row[1]]).fetchone()[0] if row[1] is not None and "dbt_invocation_id" in columns \
        else None
    return row[0], first


@dataclass(frozen=True)
class FactsMark:
    """What a validation of the facts took in: their newest build number and the invocation of
    their oldest one (`facts_state`), and the fingerprint of the configuration it applied."""

    changes_through: int | None
    built_by: str | None
    config: str


def facts_mark(con: duckdb.DuckDBPyConnection, cfg: AuditConfig) -> FactsMark:
    """The mark a validation of the facts as they are now, under `cfg`, leaves."""
    newest, built_by = facts_state(con)
    return FactsMark(newest, built_by, config_fingerprint(cfg))


def changed_after(last: FactsMark | None, now: FactsMark) -> int | None:
    """The build number after which facts rows need validating, given the mark the last
    validation left (`last`) and the facts now; None for every row: no validation yet, no
    facts (then or now), another configuration, or facts rebuilt from scratch since (a full
    refresh numbers builds from 1 again, and its oldest rows are of another invocation)."""
    if last is None or last.changes_through is None or now.changes_through is None \
            or last.config != now.config:
        return None
    if now.changes_through < last.changes_through or now.built_by != last.built_by:
        return None
    return last.changes_through


def audited_since(con: duckdb.DuckDBPyConnection, cfg: AuditConfig) -> int | None:
    """The build number after which facts rows need auditing, or None for every row."""
    con.execute(STATE_DDL)
    state = con.execute("select changes_through, config, facts_built_by "
                        "from audit.audit_state").fetchone()
    last = None if state is None else FactsMark(state[0], state[2], state[1])
    return changed_after(last, facts_mark(con, cfg))


def record_audit(con: duckdb.DuckDBPyConnection, cfg: AuditConfig, as_of: datetime) -> None:
    """The audit is complete up to the facts as they are now."""
    con.execute(STATE_DDL)
    mark = facts_mark(con, cfg)
    con.execute("delete from audit.audit_state")
    con.execute("insert into audit.audit_state values (?, ?, ?, ?)",
                [mark.changes_through, mark.config, mark.built_by, as_of])

"""The source-integrity suites on a hand-made staging layer: blocking vs warning breaches."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import duckdb
import pytest
from qc_factories import CREATED, audit_config, fact, load_facts
from test_audit_rules import VARS

from complaint_trace.contract import ENTITIES
from connectors.schema import ensure_schema
from quality_checks.audit import IntegrityInputError, run_integrity
from quality_checks.integrity import STAGING_RENAMES, STAGING_TABLES, staging_model
from quality_checks.report import blocking_failures

SQL_TYPES = {"string": "varchar", "enum": "varchar", "timestamp": "timestamp",
             "double": "double", "integer": "integer", "bigint": "bigint",
             "boolean": "boolean"}
T0 = datetime(2024, 3, 1, 2, 0, 0)
LOADED_AT = datetime(2024, 3, 2, 1, 0, 0)  # when the hand-made rows were "ingested"


def _create_staging(con: duckdb.DuckDBPyConnection, rows: dict[str, list[dict]]) -> None:
    for entity in ENTITIES:
        renames = STAGING_RENAMES.get((entity.source, entity.name), {})
        columns = ", ".join(f"{renames.get(c.name, c.name)} {SQL_TYPES[c.type]}"
                            for c in entity.columns)
        table = f"main.{staging_model(entity)}"
        con.execute(f"create or replace table {table} ({columns}, "
                    f"_loaded_at timestamp default '{LOADED_AT}')")
        for row in rows.get(entity.name, []):
            names = ", ".join(renames.get(c, c) for c in row)
            con.execute(f"insert into {table} ({names}) values ({', '.join('?' * len(row))})",
                        list(row.values()))
    ensure_schema(con)  # raw_meta, as the loader leaves it
    con.execute("create or replace table main.int_tickets_quarantined (ticket_id varchar)")
    for ticket_id in rows.get("quarantined_tickets", []):
        con.execute("insert into main.int_tickets_quarantined values (?)", [ticket_id])
    con.execute("create or replace table raw_ticketing.tickets (ticket_id varchar, msisdn varchar)")
    for row in rows.get("raw_tickets", rows["tickets"]):
        con.execute("insert into raw_ticketing.tickets values (?, ?)",
                    [row["ticket_id"], row["msisdn"]])


def _ticket(ticket_id: str, msisdn: str = "13800000001", priority: str = "normal") -> dict:
    return {"ticket_id": ticket_id, "msisdn": msisdn, "created_at": T0, "priority": priority}


def _event(event_id: str, ticket_id: str) -> dict:
    return {"event_id": event_id, "ticket_id": ticket_id, "event_at": T0, "action": "created"}


CLEAN = {
    "customers": [{"customer_id": "C1", "msisdn": "13800000001", "updated_at": T0,
                   "tier": "gold"}],
    "tickets": [_ticket("K1"), _ticket("K2")],
    "ticket_events": [_event("E1", "K1"), _event("E2", "K2"), _event("E3", "K2")],
    "cell_kpi_hourly": [{"cell_id": "460-00-1-1", "period_start": T0, "drop_rate_pct": 1.0}],
    "user_cell_sessions": [{"msisdn": "13800000001", "cell_id": "460-00-1-1",
                            "period_start": T0, "duration_s": 3600}],
    "cells": [{"cell_id": "460-00-1-1", "rat": "4G", "status": "active"}],
}


def _run(tmp_path, rows, *, facts=None, **vars_):
    cfg = audit_config(**{**VARS, **vars_})
    con = load_facts(tmp_path / "w.duckdb", facts or [fact("K1"), fact("K2")])
    _create_staging(con, rows)
    outcomes = run_integrity(con, home_dir=tmp_path / "home",
                             docs_dir=tmp_path / "home" / "data_docs", run_id="r", cfg=cfg)
    con.close()
    return outcomes


def _failed(outcomes, asset: str) -> dict[str, tuple[bool, tuple[str, ...]]]:
    return {o.meta["check"]: (bool(o.meta["blocking"]), o.unexpected_ids)
            for o in outcomes[asset] if not o.success}


def test_clean_staging_passes_every_check(tmp_path):
    outcomes = _run(tmp_path, CLEAN)
    failed = {a: _failed(outcomes, a) for a in outcomes}
    assert failed == {a: {} for a in outcomes}
    assert (tmp_path / "home" / "data_docs" / "index.html").is_file()


def test_duplicate_ticket_id_in_staging_blocks_publishing(tmp_path):
    rows = {**CLEAN, "tickets": [*CLEAN["tickets"], _ticket("K2")], "raw_tickets": []}
    outcomes = _run(tmp_path, rows)
    assert _failed(outcomes, "stg_ticketing__tickets") == {"unique key": (True, ("K2", "K2"))}
    assert [o.meta["check"] for o in blocking_failures(outcomes["stg_ticketing__tickets"])] == [
        "unique key"]


def test_ticket_id_delivered_for_two_subscribers_blocks_but_a_redelivery_does_not(tmp_path):
    reused = {**CLEAN, "raw_tickets": [*CLEAN["tickets"], _ticket("K2", msisdn="13900000000")]}
    outcomes = _run(tmp_path / "reused", reused)
    assert _failed(outcomes, "ticketing/tickets") == {"unique key": (True, ("K2", "K2"))}
    again = {**CLEAN, "raw_tickets": [*CLEAN["tickets"], _ticket("K2")]}
    assert _failed(_run(tmp_path / "again", again), "ticketing/tickets") == {}


def test_events_of_unknown_tickets_block_only_above_the_configured_share(tmp_path):
    rows = {**CLEAN, "ticket_events": [*CLEAN["ticket_events"], _event("E9", "K404")]}
    check = "ticket_id known in main.stg_ticketing__tickets"
    over = _run(tmp_path / "over", rows, integrity_max_unknown_ticket_event_share=0.2)
    assert _failed(over, "stg_ticketing__ticket_events") == {check: (True, ("E9",))}
    under = _run(tmp_path / "under", rows, integrity_max_unknown_ticket_event_share=0.25)
    assert _failed(under, "stg_ticketing__ticket_events") == {}


def test_events_of_a_quarantined_ticket_are_held_back_not_unknown(tmp_path):
    """Their ticket's row broke the contract: they are listed in fct_quarantined_rows with
    that reason, so the blocking "unknown ticket" check passes; a ticket nobody delivered
    still blocks."""
    rows = {**CLEAN, "ticket_events": [*CLEAN["ticket_events"], _event("E8", "KQ")],
            "quarantined_tickets": ["KQ"]}
    assert _failed(_run(tmp_path / "held", rows), "stg_ticketing__ticket_events") == {}
    rows["ticket_events"] = [*rows["ticket_events"], _event("E9", "K404")]
    check = "ticket_id known in main.stg_ticketing__tickets"
    assert _failed(_run(tmp_path / "unknown", rows), "stg_ticketing__ticket_events") == {
        check: (True, ("E9",))}


def test_rows_that_failed_a_blocking_check_are_validated_again(tmp_path):
    """The watermark moves past rows only once they passed: a retry on the same data must
    fail again, not find "nothing new" and publish."""
    cfg = audit_config(**VARS)
    con = load_facts(tmp_path / "w.duckdb", [fact("K1"), fact("K2")])
    _create_staging(con, {**CLEAN, "ticket_events": [*CLEAN["ticket_events"],
                                                     _event("E9", "K404")]})
    kwargs = {"home_dir": tmp_path / "home", "docs_dir": tmp_path / "home" / "data_docs",
              "run_id": "r", "cfg": cfg}
    events = "stg_ticketing__ticket_events"
    check = "ticket_id known in main.stg_ticketing__tickets"
    for _ in range(2):
        assert _failed(run_integrity(con, **kwargs), events) == {check: (True, ("E9",))}
    con.execute("delete from main.stg_ticketing__ticket_events where event_id = 'E9'")
    assert _failed(run_integrity(con, **kwargs), events) == {}
    con.close()


def test_unknown_msisdn_cell_enum_and_range_breaches_warn(tmp_path):
    rows = {
        **CLEAN,
        "tickets": [*CLEAN["tickets"], _ticket("K3", msisdn="13999999999", priority="asap")],
        "cell_kpi_hourly": [*CLEAN["cell_kpi_hourly"],
                            {"cell_id": "460-00-9-9", "period_start": T0,
                             "drop_rate_pct": 101.0}],
    }
    outcomes = _run(tmp_path, rows)
    assert _failed(outcomes, "stg_ticketing__tickets") == {
        "msisdn known in main.stg_crm__customers": (False, ("K3",)),
        "priority in enumeration": (False, ("K3",)),
    }
    kpi = _failed(outcomes, "stg_netops__cell_kpi_hourly")
    assert kpi == {
        "cell_id known in main.stg_netops__cells": (False, ("460-00-9-9|2024-03-01 02:00:00",)),
        "drop_rate_pct in range": (False, ("460-00-9-9|2024-03-01 02:00:00",)),
    }
    assert all(not blocking_failures(o) for o in outcomes.values())


def test_renamed_staging_columns_are_checked_under_their_contract_names(tmp_path):
    rows = {**CLEAN, "cells": [{"cell_id": "460-00-1-1", "rat": "4G", "status": "razed"}],
            "user_cell_sessions": [{"msisdn": "13800000001", "cell_id": "460-00-1-1",
                                    "period_start": T0, "duration_s": 3601}]}
    outcomes = _run(tmp_path, rows)
    assert _failed(outcomes, "stg_netops__cells") == {
        "status in enumeration": (False, ("460-00-1-1",))}
    # the MSISDN in a failing session's key is shown masked, as the API masks it
    masked = "138****0001#" + hashlib.md5(b"13800000001").hexdigest()[:8]
    assert _failed(outcomes, "stg_netops__user_cell_sessions") == {
        "duration_s in range": (False, (f"{masked}|460-00-1-1|2024-03-01 02:00:00",))}


def test_facts_resolved_before_created_and_missing_traces_warn(tmp_path):
    facts = [fact("K1", resolved_at=CREATED - timedelta(minutes=1)),
             fact("K2", network_trace="missing", linked_cell_count=0)]
    outcomes = _run(tmp_path, CLEAN, facts=facts, integrity_min_network_trace_share=0.6)
    assert _failed(outcomes, "fct_audit_facts") == {
        "created_at <= resolved_at": (False, ("K1",)),
        "share of tickets with a network trace": (False, ("K2",)),
    }


def test_a_ticket_no_policy_row_matches_is_named_with_its_match_values(tmp_path):
    """audit-rules §8: no matching row is a data error reported by name, never a default."""
    unmatched = fact("K2", priority="low", channel="regulator", segment="enterprise",
                     policy_id=None, first_contact_limit_minutes=None,
                     resolution_limit_minutes=None)
    outcomes = _run(tmp_path, CLEAN, facts=[fact("K1"), unmatched])
    assert _failed(outcomes, "fct_audit_facts") == {"SLA policy found": (False, ("K2",))}
    # Data Docs list the failing row with the values a policy row is matched on
    (page,) = (tmp_path / "home" / "data_docs" / "validations" / "integrity"
               / "fct_audit_facts").rglob("*.html")
    table = page.read_text().split("SLA policy found", 1)[-1]
    assert all(value in table for value in ("K2", "low", "regulator", "enterprise", "silver"))


def test_missing_staging_model_is_a_clear_error(tmp_path):
    cfg = audit_config(**VARS)
    con = load_facts(tmp_path / "w.duckdb", [fact("K1")])
    with pytest.raises(IntegrityInputError, match="cannot read main.stg_crm__customers"):
        run_integrity(con, home_dir=tmp_path / "home", docs_dir=tmp_path / "docs",
                      run_id="r", cfg=cfg, tables=STAGING_TABLES)


def test_an_expectation_gx_cannot_compute_is_an_error_not_a_silent_pass(tmp_path):
    import great_expectations.expectations as gxe
    import pandas as pd

    from quality_checks.gx_runner import GxExpectationError, gx_session, validate_frame

    frame = pd.DataFrame({"ticket_id": ["K1"], "x": [1]})
    with pytest.raises(GxExpectationError, match="'missing_column'"):
        with gx_session(tmp_path, tmp_path / "docs") as session:
            validate_frame(session, name="broken", frame=frame,
                           expectations=[gxe.ExpectColumnValuesToBeBetween(
                               column="missing_column", max_value=1)],
                           index_columns=["ticket_id"], run_name="r", run_time=T0)


def _kpi_outcomes(outcomes) -> tuple[int, dict]:
    kpi = outcomes["stg_netops__cell_kpi_hourly"]
    return max(o.element_count for o in kpi), _failed(outcomes, "stg_netops__cell_kpi_hourly")


def test_incremental_tables_validate_only_rows_loaded_since_the_last_validation(tmp_path):
    cfg = audit_config(**VARS)
    con = load_facts(tmp_path / "w.duckdb", [fact("K1"), fact("K2")])
    _create_staging(con, CLEAN)
    kwargs = {"home_dir": tmp_path / "home", "docs_dir": tmp_path / "home" / "data_docs",
              "run_id": "r", "cfg": cfg}
    first = run_integrity(con, **kwargs)
    assert _kpi_outcomes(first) == (1, {})
    assert first["stg_netops__cell_kpi_hourly"][0].meta["scope"] == "all rows (first validation)"
    # the next load brings two KPI hours, one of them for a cell outside the inventory
    later = LOADED_AT + timedelta(days=1)
    con.execute("insert into main.stg_netops__cell_kpi_hourly (cell_id, period_start, "
                "drop_rate_pct, _loaded_at) values ('460-00-1-1', ?, 1.0, ?), "
                "('460-00-9-9', ?, 1.0, ?)", [T0 + timedelta(hours=1), later,
                                              T0 + timedelta(hours=1), later])
    second = run_integrity(con, **kwargs)
    rows, failed = _kpi_outcomes(second)
    assert rows == 2 and list(failed.values()) == [(False, ("460-00-9-9|2024-03-01 03:00:00",))]
    assert second["stg_netops__cell_kpi_hourly"][0].meta["scope"] == \
        f"rows loaded after {LOADED_AT.isoformat(sep=' ')}"
    # tables that are not incremental are validated whole every time; events are incremental
    assert max(o.element_count for o in second["stg_crm__customers"]) == 1
    assert max(o.element_count for o in second["stg_ticketing__ticket_events"]) == 0
    # nothing new: nothing to validate, nothing failing
    assert _kpi_outcomes(run_integrity(con, **kwargs)) == (0, {})
    con.close()


def test_facts_are_validated_for_the_tickets_changed_since_the_last_validation(tmp_path):
    """The facts' suite validates the tickets of builds after its last validation, as the rule
    suite audits them: a share is the share among those tickets; other rules or facts rebuilt
    from scratch validate every ticket again."""
    from test_audit_scope import _facts

    con = load_facts(tmp_path / "w.duckdb", [fact("K0")])
    _create_staging(con, CLEAN)

    def validate(rows: list[dict], build: dict[str, int], **vars_) -> tuple:
        _facts(con, rows, build)
        outcomes = run_integrity(con, home_dir=tmp_path / "home",
                                 docs_dir=tmp_path / "home" / "data_docs", run_id="r",
                                 cfg=audit_config(**{**VARS, **vars_}))
        facts = outcomes["fct_audit_facts"]
        return (max(o.element_count for o in facts), facts[0].meta["scope"],
                _failed(outcomes, "fct_audit_facts"))

    early = fact("K2", resolved_at=CREATED - timedelta(minutes=1))
    no_trace = {"network_trace": "missing", "linked_cell_count": 0}
    tickets = [fact("K1"), early, fact("K3", **no_trace)]
    everything = "all rows (first validation of these facts and rules)"
    assert validate(tickets, {"K1": 1, "K2": 1, "K3": 1}) == (
        3, everything, {"created_at <= resolved_at": (False, ("K2",))})  # 2 of 3 traced: > 50 %
    # build 2 changed K3 only (now traced): K2's breach was reported by the validation before
    tickets[2] = fact("K3")
    assert validate(tickets, {"K1": 1, "K2": 1, "K3": 2}) == (1, "tickets changed after build 1",
                                                              {})
    # build 3 changed K1, now without a trace: the share is among the tickets changed (0 of 1)
    tickets[0] = fact("K1", **no_trace)
    assert validate(tickets, {"K1": 3, "K2": 1, "K3": 2}) == (
        1, "tickets changed after build 2",
        {"share of tickets with a network trace": (False, ("K1",))})
    assert validate(tickets, {"K1": 3, "K2": 1, "K3": 2})[:2] == (0, "tickets changed after "
                                                                     "build 3")
    # another threshold, then facts numbered from 1 again (a full refresh): every ticket
    assert validate(tickets, {"K1": 3, "K2": 1, "K3": 2},
                    integrity_min_network_trace_share=0.4)[:2] == (3, everything)
    assert validate(tickets, {"K1": 1, "K2": 1, "K3": 1},
                    integrity_min_network_trace_share=0.4)[:2] == (3, everything)
    con.close()

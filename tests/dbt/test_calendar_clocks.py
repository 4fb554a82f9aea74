"""SLA clocks on the `workdays` calendar (audit-rules §9), on hand-made tickets whose counted
minutes and deadlines are worked out by hand below from the 2026 China calendar (seed
calendar_cn_days, hours 08:30-17:30 Asia/Shanghai = 00:30-09:30 UTC):

- Fri 2026-02-13 working; Sat 02-14 a make-up working day; 02-15 to 02-23 the Spring
  Festival holiday and weekend; Tue 02-24 to Fri 02-27 working; Sat 02-28 a make-up day.
- One working day is 540 minutes.

The project is built from a copy whose `sla_policy` seed adds `workdays` rows for the
`regulator` channel (a normal/standard ticket: 60 min to first contact, 24 h = 1440 working
minutes to resolve; low/standard: 540 min and 9 h)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.dbt.dbt_runner import dbt
from tests.dbt.project_copy import project_with_seed_rows
from tests.dbt.raw_tables import insert_ticket, new_warehouse

AS_OF = "2026-03-01 00:00:00"  # Sun 08:00 local
LOADED = datetime(2026, 3, 1, 0, 0, 0)
REGULATOR_ROWS = (
    "reg-normal-standard,normal,standard,regulator,,,workdays,2026-01-01,,60,24\n"
    "reg-low-standard,low,standard,regulator,,,workdays,2026-01-01,,540,9\n"
)


def _ticket(con, ticket_id: str, created_at: str, priority: str, *events: tuple) -> None:
    insert_ticket(con, ticket_id, created_at, priority,
                  [(at, action, status, "BILL", code) for at, action, status, code in events],
                  loaded_at=LOADED, channel="regulator")


def _build(tmp: Path, as_of: str, load) -> tuple[Path, Path]:
    project = project_with_seed_rows(tmp, {"sla_policy": REGULATOR_ROWS})
    warehouse = tmp / "warehouse.duckdb"
    with new_warehouse(warehouse) as con:
        load(con)
    return project, warehouse


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("calendar_clocks")

    def load(con) -> None:
        # Fri 17:00 local, never contacted nor resolved
        _ticket(con, "W001", "2026-02-13 09:00:00", "normal",
                ("2026-02-13 09:00:00", "created", "acknowledged", None))
        # Tue 16:00 local; pending Tue 17:00 -> Wed 10:00; resolved Thu 09:00 local
        _ticket(con, "W002", "2026-02-24 08:00:00", "normal",
                ("2026-02-24 08:00:00", "created", "acknowledged", None),
                ("2026-02-24 09:00:00", "pending_customer", "pending", None),
                ("2026-02-25 02:00:00", "resumed", "inProgress", None),
                ("2026-02-26 01:00:00", "resolved", "resolved", "explained"))
        # Fri 08:30 local, low: both limits are one working day
        _ticket(con, "W003", "2026-02-27 00:30:00", "low",
                ("2026-02-27 00:30:00", "created", "acknowledged", None))

    project, warehouse = _build(tmp, AS_OF, load)
    dbt("build", warehouse=warehouse, as_of=AS_OF, work=tmp, project=project,
        extra=("--exclude", "resource_type:unit_test"))
    return warehouse


def _row(warehouse: Path, sql: str, *params) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, list(params)).fetchone()


def test_friday_17h_before_the_spring_festival_deadline_lands_after_it_and_a_make_up_day(
    built: Path,
) -> None:
    # first contact, 60 min: 30 min on Friday, 30 on the make-up Saturday -> Sat 09:00 local.
    # resolution, 1440 min: 30 Fri + 540 Sat 02-14 + 540 Tue 02-24 = 1110, then 330 more on
    # Wed 02-25 from 08:30 -> 14:00 local = 06:00 UTC.
    row = _row(built, """select policy_id, sla_calendar, first_contact_deadline_at,
        resolution_deadline_at, clock_minutes_at_as_of, first_contact_minutes_at_as_of
        from main.dim_tickets where ticket_id = 'W001'""")
    # clock at as-of (Sun 03-01 08:00 local): 30 + 540 + 4 x 540 (02-24..02-27) + 540 (02-28)
    assert row == ("reg-normal-standard", "workdays", datetime(2026, 2, 14, 1, 0),
                   datetime(2026, 2, 25, 6, 0), 3270.0, 3270.0)


def test_pending_time_stops_the_working_clock_and_is_reported_in_wall_minutes(
    built: Path,
) -> None:
    row = _row(built, """select resolution_clock_minutes, pending_minutes,
        resolution_deadline_at, first_contact_minutes_at_as_of
        from main.dim_tickets where ticket_id = 'W002'""")
    # running Tue 16:00-17:00 (60) + Wed 10:00-17:30 (450) + Thu 08:30-09:00 (30) = 540;
    # pending Tue 17:00 -> Wed 10:00 = 17 h wall; the 1440-minute limit was never reached;
    # resolved, so its first-contact clock no longer runs at as-of
    assert row == (540.0, 1020.0, None, None)
    with duckdb.connect(str(built), read_only=True) as con:
        segments = con.execute("""select began_by, clock_state, counted_minutes,
            running_total_minutes from main.fct_sla_clock_segments
            where ticket_id = 'W002' order by segment_seq""").fetchall()
    # the resumed segment runs Wed 10:00 -> Thu 09:00 local: 450 + 30 working minutes
    assert segments == [("created", "running", 60.0, 60.0),
                        ("pending_customer", "paused", 0.0, 60.0),
                        ("resumed", "running", 480.0, 540.0),
                        ("resolved", "stopped", 0.0, 540.0)]


def test_a_limit_used_up_at_the_end_of_a_working_day_falls_at_its_close(built: Path) -> None:
    # 540 working minutes from Fri 08:30 local end at Fri 17:30 (09:30 UTC), not at the
    # next working day's 08:30
    row = _row(built, """select first_contact_deadline_at, resolution_deadline_at
        from main.dim_tickets where ticket_id = 'W003'""")
    assert row == (datetime(2026, 2, 27, 9, 30), datetime(2026, 2, 27, 9, 30))


def test_a_date_the_calendar_does_not_cover_fails_the_build_naming_the_year(tmp_path) -> None:
    def load(con) -> None:
        _ticket(con, "W100", "2027-01-04 02:00:00", "normal",
                ("2027-01-04 02:00:00", "created", "acknowledged", None))

    project, warehouse = _build(tmp_path, "2027-01-05 00:00:00", load)
    with pytest.raises(AssertionError, match="does not cover the year 2027"):
        dbt("build", warehouse=warehouse, as_of="2027-01-05 00:00:00", work=tmp_path,
            project=project, extra=("--select", "+int_tickets_clocked", "--exclude",
                                    "resource_type:test", "resource_type:unit_test"))

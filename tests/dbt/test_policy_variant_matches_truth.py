"""Policies and calendars (audit-rules §8, §9) against the simulator's truth: the shared landing
built with the truth's policy variant (`truth/policy_variant/sla_policy.csv`: the §2 table
plus rows on the plants' creation dates only: a regulator `workdays` row, a stricter
enterprise row, a version starting the day after a ticket) must give exactly the variant's
findings, every rule at precision and recall 1.0; the plants' deadlines are the simulator's
own working-minute walk (`complaint_trace/simulator/policy_plants.py`)."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaint_trace.business_calendar import working_days
from complaint_trace.simulator.policy_plants import working_deadline
from tests.conftest import SimulatedRun
from tests.dbt.audit_rules import findings
from tests.dbt.project_copy import project_with_seed_rows
from tests.dbt.test_audit_facts_match_truth import RULES, built_facts, explain, truth_of

VARIANT = "policy_variant"
FINDINGS = f"{VARIANT}/expected_findings.csv"


@pytest.fixture(scope="module")
def variant_build(simulated_landing: SimulatedRun, tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt_policy_variant")
    policy = (simulated_landing.truth / VARIANT / "sla_policy.csv").read_text()
    project = project_with_seed_rows(work, {}, replaced={"sla_policy": policy})
    return built_facts(simulated_landing, work, project)


def test_the_variant_plants_every_policy_case(simulated_landing: SimulatedRun) -> None:
    _, scenarios = truth_of(simulated_landing.truth, FINDINGS)
    planted = set(scenarios.values())
    assert {"pol_holiday_deadline_missed", "pol_holiday_deadline_met",
            "pol_enterprise_stricter_row", "pol_version_starts_the_next_day",
            "pol_version_in_force"} <= planted


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_matches_the_variant_truth(rule: str, variant_build,
                                             simulated_landing: SimulatedRun) -> None:
    facts, steps = variant_build
    expected, scenarios = truth_of(simulated_landing.truth, FINDINGS)
    expected = {pair for pair in expected if pair[1] == rule}
    found = {pair for pair in findings(facts, steps) if pair[1] == rule}
    by_id = {f["ticket_id"]: f for f in facts}
    assert found == expected, (
        f"{rule}: false positives\n{explain(found - expected, by_id, scenarios)}\n"
        f"{rule}: missed\n{explain(expected - found, by_id, scenarios)}")


def test_the_holiday_deadline_is_the_working_minute_walk(variant_build,
                                                         simulated_landing: SimulatedRun):
    """Created 17:00 on a Friday before a holiday: the 24-working-hour deadline is where the
    walk over the holiday library's working days ends, after the holiday and a make-up
    Saturday; resolved a minute after it is late, at it is not."""
    facts, _ = variant_build
    _, scenarios = truth_of(simulated_landing.truth, FINDINGS)
    zone = ZoneInfo("Asia/Shanghai")
    for ticket_id, scenario in scenarios.items():
        if not scenario.startswith("pol_holiday"):
            continue
        fact = next(f for f in facts if f["ticket_id"] == ticket_id)
        created = fact["created_at"].replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
        days = {d.calendar_date: d.is_workday
                for d in working_days(created.year - 1, created.year)}
        deadline = working_deadline(created, 24 * 60, days).replace(tzinfo=zone)
        assert fact["policy_id"] == "plant-regulator-workdays"
        assert fact["resolution_deadline_at"] == deadline.astimezone(UTC).replace(tzinfo=None)
        # three working days would end by Wednesday: the holiday pushed it further
        assert deadline - created.replace(tzinfo=zone) > timedelta(days=5)
        late = scenario.endswith("missed")
        assert fact["resolution_clock_minutes"] == 24 * 60 + (1 if late else 0)

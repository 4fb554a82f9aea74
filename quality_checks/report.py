"""Summaries of GX outcomes for Dagster metadata, the CLI and logs: counts and sample ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from quality_checks.gx_runner import ExpectationOutcome


def describe(outcome: ExpectationOutcome) -> dict:
    """One expectation: what it checks, pass/fail, counts and up to 20 failing ids."""
    return {
        "check": outcome.meta.get("check") or outcome.meta.get("rule_id"),
        "expectation": outcome.expectation_type,
        "column": outcome.column,
        "passed": outcome.success,
        "blocking": bool(outcome.meta.get("blocking")),
        "rows_checked": outcome.element_count,
        "unexpected": outcome.unexpected_count,
        "sample_ids": outcome.sample_ids,
    }


def blocking_failures(outcomes: Iterable[ExpectationOutcome]) -> list[ExpectationOutcome]:
    return [o for o in outcomes if not o.success and o.meta.get("blocking")]


def rule_outcomes(
    outcomes: Sequence[ExpectationOutcome], rule_id: str
) -> list[ExpectationOutcome]:
    return [o for o in outcomes if o.meta.get("rule_id") == rule_id]


def rule_tickets(outcomes: Sequence[ExpectationOutcome], rule_id: str) -> list[str]:
    """The tickets breaking one rule: the union of its expectations' unexpected rows."""
    return sorted({t for o in rule_outcomes(outcomes, rule_id) for t in o.unexpected_ids})


"""The ground truth next to (never inside) the landing root: what the audit must find."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from complaint_trace.simulator.lifecycle import Ticket
from complaint_trace.simulator.policy_plants import variant_policy

TRUTH_FILES = ("meta.json", "expected_findings.csv", "scenarios.csv", "bad_rows.csv",
               "policy_variant/sla_policy.csv", "policy_variant/expected_findings.csv")
VARIANT_DIR = "policy_variant"  # the policy variant's seed and findings (policy_plants.py)


def _csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_truth(truth: Path, meta: dict, tickets: list[Ticket], bad: list[tuple],
                variant_rows: list[str]) -> None:
    truth.mkdir(parents=True, exist_ok=True)
    (truth / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    ordered = sorted(tickets, key=lambda t: t.ticket_id)
    _csv(truth / "expected_findings.csv", ("ticket_id", "rule_id", "scenario"),
         [(t.ticket_id, rule, t.scenario) for t in ordered for rule in t.rules])
    _csv(truth / "scenarios.csv", ("ticket_id", "scenario", "is_near_miss"),
         [(t.ticket_id, t.scenario, str(t.near_miss).lower()) for t in ordered])
    _csv(truth / "bad_rows.csv", ("entity", "file", "row_number", "kind"), sorted(bad))
    if variant_rows:
        variant = truth / VARIANT_DIR
        variant.mkdir(exist_ok=True)
        (variant / "sla_policy.csv").write_text(variant_policy(variant_rows), encoding="utf-8")
        _csv(variant / "expected_findings.csv", ("ticket_id", "rule_id", "scenario"),
             [(t.ticket_id, rule, t.scenario) for t in ordered
              for rule in (t.rules if t.variant_rules is None else t.variant_rules)])

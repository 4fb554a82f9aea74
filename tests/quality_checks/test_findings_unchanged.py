"""#16: with the default configuration every finding of audit-rules §1–§7 stays as it was.

`golden/findings_before_policies.csv` holds the findings of the rules before §8–§12 (commit
196374e: `complaint-trace run`, then `complaint-trace findings`, on the shared test landing:
`tests/conftest.py` SMALL_DATASET, as of its truth's as-of). The same landing run by the code
under test must give the same tickets, rules, names, severities, departments, days and
evidence; what §8–§12 add is R1, the step rules O1/O2 and the `policy_id` a timeout's evidence
names. If the simulator changes the landing, regenerate the file from that commit on the new
landing (last done when the simulator planted O1/O2).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from complaint_trace.cli import app

GOLDEN = Path(__file__).parent / "golden" / "findings_before_policies.csv"
NEW_RULES = {"R1", "O1", "O2"}
NEW_EVIDENCE = {"policy_id"}


def test_the_default_configuration_keeps_every_finding_of_the_previous_rules(pipeline_home):
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        before = {(r["ticket_id"], r["rule_id"]): (r["rule_name"], r["severity"],
                                                   r["department"], r["day"],
                                                   json.loads(r["evidence"]))
                  for r in csv.DictReader(handle)}
    result = CliRunner().invoke(app, ["findings", "--home", str(pipeline_home.home)])
    assert result.exit_code == 0, result.output
    now = {}
    for line in result.stdout.splitlines():
        r = json.loads(line)
        if r["rule_id"] in NEW_RULES:
            continue
        evidence = {k: v for k, v in r["evidence"].items() if k not in NEW_EVIDENCE}
        now[(r["ticket_id"], r["rule_id"])] = (r["rule_name"], r["severity"], r["department"],
                                               r["day"], evidence)
    assert len(before) > 10, "the golden file holds too few findings to prove anything"
    assert now.keys() == before.keys(), (sorted(now.keys() - before.keys()),
                                         sorted(before.keys() - now.keys()))
    differing = {k: (before[k], now[k]) for k in before if before[k] != now[k]}
    assert not differing, differing

"""Rates do what they say: no bad rows at rate 0, and background tickets alone fire nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from complaint_trace.simulator import SimConfig, simulate
from tests.simulator.sim_audit import audit
from tests.simulator.sim_landing import load


def test_background_alone_fires_no_rule_and_rate_zero_plants_no_bad_row(tmp_path: Path) -> None:
    config = SimConfig(out=tmp_path / "landing", truth=tmp_path / "truth", days=2,
                       tickets_per_day=150, cells=300, seed=13, planted_rate=0.0,
                       bad_row_rate=0.0)
    result = simulate(config)
    assert result.bad_rows == 0 and result.planted_tickets == 0
    data = load(tmp_path / "landing", config.source_tz)
    assert all(c.broken.empty for c in data.values())
    meta = json.loads((tmp_path / "truth/meta.json").read_text())
    found = audit(data, pd.Timestamp(meta["as_of"]))
    assert found.findings == set()
    assert pd.read_csv(tmp_path / "truth/expected_findings.csv").empty
    facts = found.facts
    # not trivially clean: tickets resolved and still open, network fixes among them
    assert facts["resolved_at"].notna().mean() > 0.3 and facts["is_open"].any()
    assert facts["code"].isin(["network_fixed", "network_optimized"]).any()

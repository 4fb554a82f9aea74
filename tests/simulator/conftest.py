"""One small simulated landing root (default rates, small sizes), loaded and audited once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from complaint_trace.simulator import SimConfig, SimulationResult, simulate
from tests.simulator.sim_audit import Audit, audit
from tests.simulator.sim_landing import Checked, load

SMALL = {"days": 3, "tickets_per_day": 200, "cells": 500, "seed": 5}


@dataclass
class Simulated:
    result: SimulationResult
    landing: Path
    truth: Path
    meta: dict
    data: dict[str, Checked]
    audit: Audit
    scenarios: pd.DataFrame  # truth/scenarios.csv indexed by ticket_id
    expected: pd.DataFrame  # truth/expected_findings.csv
    bad_rows: pd.DataFrame  # truth/bad_rows.csv

    def facts_of(self, scenario: str) -> pd.DataFrame:
        ids = self.scenarios.index[self.scenarios["scenario"] == scenario]
        assert len(ids), f"no ticket planted as {scenario}"
        return self.audit.facts.loc[ids]


@pytest.fixture(scope="session")
def sim(tmp_path_factory) -> Simulated:
    root = tmp_path_factory.mktemp("simulator")
    config = SimConfig(out=root / "landing", truth=root / "truth", **SMALL)
    result = simulate(config)
    meta = json.loads((root / "truth" / "meta.json").read_text())
    data = load(root / "landing", config.source_tz)
    return Simulated(
        result=result, landing=root / "landing", truth=root / "truth", meta=meta, data=data,
        audit=audit(data, pd.Timestamp(meta["as_of"])),
        scenarios=pd.read_csv(root / "truth" / "scenarios.csv").set_index("ticket_id"),
        expected=pd.read_csv(root / "truth" / "expected_findings.csv"),
        bad_rows=pd.read_csv(root / "truth" / "bad_rows.csv"),
    )

"""A source zone with daylight saving time: 23- and 25-hour days, and naive local times in the
repeated hour (ambiguous) keep their offset, so the truth still holds."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from complaint_trace.simulator import SimConfig, simulate
from tests.simulator.sim_audit import audit
from tests.simulator.sim_landing import load


def test_daylight_saving_zone_keeps_days_and_truth(tmp_path: Path) -> None:
    config = SimConfig(out=tmp_path / "landing", truth=tmp_path / "truth", days=3,
                       tickets_per_day=120, cells=300, seed=3, source_tz="Europe/London",
                       start=pd.Timestamp("2026-10-24").date(), planted_rate=0.3)
    simulate(config)
    meta = json.loads((tmp_path / "truth/meta.json").read_text())
    as_of = pd.Timestamp(meta["as_of"])
    assert as_of == pd.Timestamp("2026-10-27 00:00:00")  # midnight GMT after the switch
    data = load(tmp_path / "landing", "Europe/London")  # raises on an ambiguous naive time
    kpi = data["netops/cell_kpi_hourly"].rows
    assert kpi["period_start"].max() == as_of - pd.Timedelta(hours=1)
    assert kpi["period_start"].min() == pd.Timestamp("2026-10-23 23:00:00")  # BST midnight
    hours_per_file = kpi.groupby("_file")["period_start"].nunique().tolist()
    assert hours_per_file == [24, 25, 24]
    expected = pd.read_csv(tmp_path / "truth/expected_findings.csv")
    assert audit(data, as_of).findings == set(zip(expected["ticket_id"], expected["rule_id"],
                                                  strict=True))

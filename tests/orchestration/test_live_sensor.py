"""The sensor of live monitoring: each run's as-of is its delivery's time (the end of the newest
slot a file name states, data contract "Delivery"), never later than now; runs never overlap,
also with a pipeline run another process holds the home's lock for."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.resources import PipelineConfig
from orchestration.sensors import delivery_as_of, landing_sensor

NOW = datetime(2026, 3, 3, 12, 0, 0)  # UTC, well after every delivery below


def _land(landing: Path, *names: str) -> None:
    for name in names:
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("ticket_id\n", encoding="utf-8")


def _pipeline(tmp_path: Path, minutes: int = 15) -> PipelineConfig:
    return PipelineConfig(home=str(tmp_path / "home"), landing=str(tmp_path / "landing"),
                          source_tz="Asia/Shanghai", delivery_minutes=minutes)


def test_a_quarter_hour_batch_is_audited_as_of_its_slot_end(tmp_path: Path):
    _land(tmp_path / "landing", "ticketing/tickets/2026-03-02-1000.jsonl",
          "ticketing/ticket_events/2026-03-02-1015.csv",  # the newest: 10:15-10:30 local
          "netops/cell_kpi_hourly/2026-03-02-0900.csv")  # hourly: ends 10:00 local
    # 10:30 in Shanghai (UTC+8) is 02:30 UTC
    assert delivery_as_of(_pipeline(tmp_path), NOW) == datetime(2026, 3, 2, 2, 30)


def test_an_hourly_network_slot_can_be_the_newest(tmp_path: Path):
    _land(tmp_path / "landing", "ticketing/tickets/2026-03-02-1000.jsonl",  # ends 10:15
          "netops/cell_kpi_hourly/2026-03-02-1000.csv")  # ends 11:00 local = 03:00 UTC
    assert delivery_as_of(_pipeline(tmp_path), NOW) == datetime(2026, 3, 2, 3, 0)


def test_a_slot_still_being_delivered_is_audited_as_of_now(tmp_path: Path):
    _land(tmp_path / "landing", "ticketing/tickets/2026-03-02-1015.jsonl")  # ends 02:30 UTC
    just_before = datetime(2026, 3, 2, 2, 29, 59)
    assert delivery_as_of(_pipeline(tmp_path), just_before) == just_before
    at = datetime(2026, 3, 2, 2, 30, 0)
    assert delivery_as_of(_pipeline(tmp_path), at) == at
    assert delivery_as_of(_pipeline(tmp_path), datetime(2026, 3, 2, 2, 30, 1)) == at


def test_a_day_file_is_delivered_at_the_local_midnight_that_ends_its_day(tmp_path: Path):
    _land(tmp_path / "landing", "crm/contacts/2026-03-02.csv")
    # 2026-03-03 00:00 Shanghai = 2026-03-02 16:00 UTC
    assert delivery_as_of(_pipeline(tmp_path, 1440), NOW) == datetime(2026, 3, 2, 16, 0)


def test_names_stating_no_time_are_audited_as_of_now(tmp_path: Path):
    _land(tmp_path / "landing", "crm/contacts/export.csv")
    assert delivery_as_of(_pipeline(tmp_path), NOW) == NOW


def test_each_new_batch_gets_a_run_as_of_its_delivery(tmp_path: Path):
    instance = dg.DagsterInstance.ephemeral()
    resources = {"pipeline": _pipeline(tmp_path)}
    _land(tmp_path / "landing", "ticketing/tickets/2026-03-02-1000.jsonl")
    first = landing_sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert first.run_config["resources"]["pipeline"]["config"]["as_of"] == "2026-03-02 02:15:00"
    _land(tmp_path / "landing", "ticketing/tickets/2026-03-02-1015.jsonl")
    second = landing_sensor(dg.build_sensor_context(instance=instance, cursor=first.run_key,
                                                    resources=resources))
    assert second.run_config["resources"]["pipeline"]["config"]["as_of"] == "2026-03-02 02:30:00"
    assert second.run_key != first.run_key


@pytest.fixture
def lock_held_elsewhere(tmp_path: Path):
    """Another process holding the home's run lock (as `complaint-trace run` does)."""
    home = tmp_path / "home"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from complaint_trace.run_lock import run_lock
        with run_lock(Path({str(home)!r}), "cli-run-1"):
            print("held", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    assert holder.stdout.readline().strip() == "held"
    yield holder
    holder.kill()
    holder.wait()


def test_no_run_starts_while_another_process_runs_the_pipeline(tmp_path: Path,
                                                                lock_held_elsewhere):
    _land(tmp_path / "landing", "ticketing/tickets/2026-03-02-1000.jsonl")
    instance = dg.DagsterInstance.ephemeral()
    resources = {"pipeline": _pipeline(tmp_path)}
    tick = landing_sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert isinstance(tick, dg.SkipReason) and "cli-run-1" in tick.skip_message
    lock_held_elsewhere.kill()  # that run ends (the kernel releases its lock)
    lock_held_elsewhere.wait()
    # the cursor did not move: the next tick starts the batch's run
    after = landing_sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert isinstance(after, dg.RunRequest)

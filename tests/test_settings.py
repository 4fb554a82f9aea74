from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from complaint_trace.settings import get_settings


def test_env_prefix_sets_home_and_derived_paths(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPLAINT_TRACE_HOME", str(tmp_path / "h"))
    settings = get_settings()
    assert settings.warehouse_path == tmp_path / "h" / "warehouse.duckdb"
    assert settings.landing_dir == tmp_path / "h" / "landing"
    assert settings.dagster_home == tmp_path / "h" / "dagster"


def test_cli_override_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COMPLAINT_TRACE_SOURCE_TZ", "Europe/Berlin")
    assert get_settings(source_tz="Asia/Shanghai").source_tz == "Asia/Shanghai"
    assert get_settings(source_tz=None).source_tz == "Europe/Berlin"


def test_unknown_time_zone_is_rejected():
    with pytest.raises(ValidationError):
        get_settings(source_tz="Mars/Olympus")


def test_as_of_with_offset_is_converted_to_naive_utc():
    settings = get_settings(as_of=datetime.fromisoformat("2026-03-05T08:00:00+08:00"))
    assert settings.as_of_utc == datetime(2026, 3, 5, 0, 0, 0)


def test_landing_defaults_under_home_but_can_be_set(tmp_path):
    settings = get_settings(home=tmp_path, landing=Path("/data/landing"))
    assert settings.landing_dir == Path("/data/landing")


def test_schedule_cron_is_a_setting(monkeypatch):
    assert get_settings().schedule_cron == "0 2 * * *"
    monkeypatch.setenv("COMPLAINT_TRACE_SCHEDULE_CRON", "30 3 * * *")
    assert get_settings().schedule_cron == "30 3 * * *"

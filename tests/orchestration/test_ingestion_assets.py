"""The ingestion assets as Dagster runs them: keys and groups, metadata, the file check,
idempotent re-materialisation, the sensor and the schedule, and loadable definitions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from complaint_trace.settings import settings_from
from connectors.standard.feeds import RAW_TABLE_FOLDERS, RECORD_FEEDS
from orchestration.assets import crm, netops, ticketing
from orchestration.definitions import build_definitions, defs
from orchestration.resources import PipelineConfig, WarehouseResource
from orchestration.schedules import build_schedules
from orchestration.sensors import landing_sensor
from tests.connectors.samples import ALARM, CUSTOMER, csv_bytes, deliver_customer

INGESTION = [*crm.ASSETS, *ticketing.ASSETS, *netops.ASSETS]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    for rel, rows in {
        "netops/alarms/2026-03-02.csv": [ALARM, {**ALARM, "alarm_id": "A2", "severity": "x"}],
        "ticketing/tickets/2026-03-02.jsonl": None,
        "netops/cells/2026-03-02.csv": [{"rat": "4G", "site_type": "macro"}],  # no cell_id
    }.items():
        path = landing / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(csv_bytes(rows) if rows else b'{"ticket_id": "T1", "msisdn": "1", '
                         b'"created_at": "2026-03-02T10:00:00+08:00"}\n')
    return tmp_path


def _resources(home: Path) -> dict:
    return {"warehouse": WarehouseResource(path=str(home / "warehouse.duckdb")),
            "pipeline": PipelineConfig(home=str(home), landing=str(home / "landing"))}


def _materialisations(result) -> list[dg.AssetMaterialization]:
    return [e.step_materialization_data.materialization
            for e in result.get_asset_materialization_events()]


def test_one_asset_per_entity_and_standard_feed_keyed_and_grouped_by_source():
    specs = {a.key: a.group_names_by_key[a.key] for a in INGESTION}
    assert specs == {dg.AssetKey([e.source, e.name]): e.source
                     for e in (*RAW_TABLE_FOLDERS, *RECORD_FEEDS)}
    assert dg.AssetKey(["netops", "pm_xml"]) in specs
    assert dg.AssetKey(["ticketing", "tmf621"]) in specs


def test_each_record_feed_is_upstream_of_the_entities_it_feeds():
    upstream = {a.key.to_user_string(): {k.to_user_string() for k in a.dependency_keys}
                for a in INGESTION}
    assert upstream["ticketing/tickets"] == upstream["ticketing/ticket_events"] \
        == {"ticketing/tmf621"}
    assert upstream["netops/alarms"] == {"netops/tmf642", "netops/ves"}
    assert upstream["ticketing/tmf621"] == upstream["crm/customers"] == set()


def test_a_record_feed_asset_reports_the_rows_it_added(home: Path):
    folder = home / "landing" / "ticketing" / "tmf621"
    folder.mkdir(parents=True)
    (folder / "2026-03-02.json").write_text(
        '{"id": "T9", "creationDate": "2026-03-02T01:00:00Z", "priority": "Low", '
        '"relatedParty": [{"id": "13800000009", "role": "customer"}], '
        '"statusChange": [{"status": "acknowledged", "changeDate": "2026-03-02T01:00:00Z"}]}')
    feed = next(a for a in INGESTION if a.key.to_user_string() == "ticketing/tmf621")
    result = dg.materialize([feed], resources=_resources(home))
    (metadata,) = [m.metadata for m in _materialisations(result)]
    # one ticket and its one event, in the two raw tables it feeds
    assert (metadata["rows_loaded"].value, metadata["dagster/row_count"].value) == (2, 2)
    assert "raw_ticketing.tickets, raw_ticketing.ticket_events" == \
        metadata["dagster/table_name"].value
    assert "T9" in metadata["preview"].value


def test_materialisation_carries_counts_preview_and_file_check(home: Path):
    result = dg.materialize(INGESTION, resources=_resources(home))
    assert result.success
    metadata = {m.asset_key.to_user_string(): m.metadata for m in _materialisations(result)}
    alarms = metadata["netops/alarms"]
    assert (alarms["rows_loaded"].value, alarms["rows_quarantined"].value) == (1, 1)
    assert "A1" in alarms["preview"].value and "2026-03-02.csv" in alarms["files"].value
    assert metadata["netops/cells"]["files_failed"].value == 1
    checks = {(c.asset_key.to_user_string(), c.passed)
              for c in result.get_asset_check_evaluations()}
    assert ("netops/cells", False) in checks and ("netops/alarms", True) in checks


def test_rematerialising_the_same_landing_adds_nothing(home: Path):
    instance = dg.DagsterInstance.ephemeral()
    dg.materialize(INGESTION, resources=_resources(home), instance=instance)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    count = ("select (select count(*) from raw_netops.alarms), (select count(*) from "
             "raw_ticketing.tickets), (select count(*) from raw_meta.quarantine), "
             "(select list(run_id order by file) from raw_meta.file_manifest)")
    before = con.execute(count).fetchall()
    con.close()
    second = dg.materialize(INGESTION, resources=_resources(home), instance=instance)
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    assert con.execute(count).fetchall() == before
    assert before[0][:3] == (1, 1, 1)
    skipped = [m.metadata["files_skipped_unchanged"].value for m in _materialisations(second)]
    assert sum(skipped) == 3


def test_asset_invoked_directly_with_build_asset_context(home: Path):
    (asset,) = [a for a in netops.ASSETS if a.key == dg.AssetKey(["netops", "alarms"])]
    resources = _resources(home)
    result = asset(context=dg.build_asset_context(), **resources)
    assert result.metadata["rows_read"] == 2
    assert result.check_results[0].passed


def test_sensor_requests_a_run_for_new_files_only(home: Path):
    instance = dg.DagsterInstance.ephemeral()
    resources = {"pipeline": _resources(home)["pipeline"]}
    first = landing_sensor(dg.build_sensor_context(instance=instance, resources=resources))
    assert isinstance(first, dg.RunRequest)
    cursor = first.run_key
    again = landing_sensor(dg.build_sensor_context(instance=instance, cursor=cursor,
                                                   resources=resources))
    assert isinstance(again, dg.SkipReason)
    (home / "landing/netops/alarms/2026-03-03.csv").write_bytes(csv_bytes([ALARM]))
    new = landing_sensor(dg.build_sensor_context(instance=instance, cursor=cursor,
                                                 resources=resources))
    assert isinstance(new, dg.RunRequest) and new.run_key != cursor
    assert new.run_config["resources"]["pipeline"]["config"]["as_of"]


def test_sensor_skips_an_empty_landing_root(tmp_path: Path):
    resources = {"pipeline": PipelineConfig(home=str(tmp_path), landing=str(tmp_path / "none"))}
    tick = landing_sensor(dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(),
                                                  resources=resources))
    assert isinstance(tick, dg.SkipReason)


def test_daily_schedule_fixes_the_as_of_to_the_tick():
    tick = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
    (daily_schedule,) = build_schedules(settings_from(home="h"))
    request = daily_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert request.run_config["resources"]["pipeline"]["config"]["as_of"] == "2026-03-03 02:00:00"


def test_definitions_are_loadable_and_hold_job_sensor_schedule():
    loaded = defs()  # as `dagster dev` loads them
    dg.Definitions.validate_loadable(loaded)
    assert loaded.resolve_job_def("complaint_trace_job") is not None
    assert loaded.resolve_sensor_def("landing_sensor") is not None
    assert loaded.resolve_schedule_def("daily_schedule") is not None


def test_the_definitions_take_their_settings_from_the_caller_not_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COMPLAINT_TRACE_HOME", str(tmp_path / "from-env"))
    monkeypatch.setenv("COMPLAINT_TRACE_SCHEDULE_CRON", "5 3 * * *")
    given = settings_from(home=tmp_path / "given", schedule_cron="30 1 * * *", dbt_runs_kept=7,
                          sensor_interval_seconds=25, pipeline_niceness=3)
    built = build_definitions(given)
    assert built.resolve_schedule_def("daily_schedule").cron_schedule == "30 1 * * *"
    assert built.resolve_sensor_def("landing_sensor").minimum_interval_seconds == 25
    pipeline = built.resources["pipeline"]
    assert pipeline.home == str(tmp_path / "given")
    step_settings = pipeline.settings()  # what a step reads
    assert (step_settings.home_dir, step_settings.dbt_runs_kept,
            step_settings.pipeline_niceness) == (tmp_path / "given", 7, 3)
    assert built.resources["warehouse"].path == str(tmp_path / "given" / "warehouse.duckdb")
    # and where a process starts, the environment is read once
    assert defs().resolve_schedule_def("daily_schedule").cron_schedule == "5 3 * * *"


def test_pipeline_config_as_of():
    config = PipelineConfig(home="h", landing="l", as_of="2026-03-04T08:00:00+08:00")
    assert config.as_of_text() == "2026-03-04 00:00:00"
    assert PipelineConfig(home="h", landing="l").as_of_utc() <= datetime.now(UTC).replace(
        tzinfo=None)


def test_the_preview_in_dagster_masks_personal_data(tmp_path: Path):
    """Dagster keeps previews in its run storage for every UI user: masked as for a handler."""
    deliver_customer(tmp_path / "landing", CUSTOMER)
    result = dg.materialize(crm.ASSETS, resources=_resources(tmp_path))
    preview = {m.asset_key.to_user_string(): m.metadata["preview"].value
               for m in _materialisations(result)}["crm/customers"]
    assert "C1" in preview and "138****5678" in preview
    assert "13812345678" not in preview and "王小明" not in preview

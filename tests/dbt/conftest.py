"""Fixtures of the dbt layer: the hand-made raw rows built once through Dagster, the way a
pipeline run builds them (seeds, models, data tests; and here also the unit tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from orchestration.assets.dbt import dbt_assets_of
from orchestration.dbt_project import dbt_resource
from orchestration.resources import PipelineConfig, WarehouseResource
from tests.dbt import handmade
from tests.dbt.raw_tables import new_warehouse


@dataclass(frozen=True)
class BuiltWarehouse:
    path: Path
    run_id: str


@pytest.fixture(scope="session")
def handmade_build(tmp_path_factory) -> BuiltWarehouse:
    work = tmp_path_factory.mktemp("dbt_handmade")
    warehouse = work / "warehouse.duckdb"
    con = new_warehouse(warehouse)
    handmade.load(con)
    con.close()
    result = dg.materialize(
        [dbt_assets_of()],
        resources={
            "dbt": dbt_resource(),
            "warehouse": WarehouseResource(path=str(warehouse)),
            "pipeline": PipelineConfig(home=str(work), landing=str(work / "landing"),
                                       as_of=handmade.AS_OF),
        },
        run_config={"ops": {"complaint_trace_dbt_assets": {"config": {"unit_tests": True}}}},
    )
    assert result.success
    return BuiltWarehouse(warehouse, result.run_id)

"""Fixtures of the API tests: a hand-made warehouse published as a snapshot, keys per role."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from api_warehouse import build_warehouse
from fastapi.testclient import TestClient

from api.main import create_app
from api.security import Role, write_keys_file
from complaint_trace.settings import Settings, get_settings
from serving.publish import PublishedSnapshot, publish_snapshot

AS_OF = datetime(2026, 3, 5)


@dataclass
class ApiHome:
    settings: Settings
    warehouse: Path
    keys: dict[str, str]  # role name -> plain key
    first: PublishedSnapshot

    def headers(self, role: str) -> dict[str, str]:
        return {"X-API-Key": self.keys[role]}

    def publish(self, run_id: str, built_at: datetime | None = None,
                keep: int = 3) -> PublishedSnapshot:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return publish_snapshot(con, self.settings.snapshots_dir, run_id=run_id,
                                    as_of=AS_OF, keep=keep, built_at=built_at)
        finally:
            con.close()


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, PublishedSnapshot]:
    """Warehouse, keys and first snapshot built once; each test gets its own copy."""
    root = tmp_path_factory.mktemp("api-template")
    settings = get_settings(home=root / "home")
    warehouse = build_warehouse(root / "warehouse.duckdb")
    keys = write_keys_file(settings.api_keys_path, [(r.value, r) for r in Role])
    home = ApiHome(settings, warehouse, keys, None)  # type: ignore[arg-type]
    first = home.publish("run-11111111", built_at=datetime(2026, 3, 5, 1, 0, 0))
    return root, keys, first


@pytest.fixture
def api_home(_template, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ApiHome:
    monkeypatch.delenv("COMPLAINT_TRACE_API_KEYS", raising=False)
    root, keys, first = _template
    shutil.copytree(root, tmp_path, dirs_exist_ok=True)
    settings = get_settings(home=tmp_path / "home")
    moved = tmp_path / first.path.relative_to(root)
    return ApiHome(settings, tmp_path / "warehouse.duckdb", keys, replace(first, path=moved))


@pytest.fixture
def client(api_home: ApiHome) -> TestClient:
    app = create_app(api_home.settings.model_copy(update={"snapshot_check_seconds": 0}))
    with TestClient(app) as test_client:
        yield test_client

"""`GET /health`: which snapshot is served (no key needed: for probes and operators)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import SnapshotDep
from api.routes import ERRORS
from api.schemas import HealthPublic
from api.trace import utc

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic, responses=ERRORS)
def read_health(snapshot: SnapshotDep) -> HealthPublic:
    """Snapshot version, run id, as-of, built-at and row counts of the served snapshot."""
    return HealthPublic(status="ok", snapshot_version=snapshot.version, run_id=snapshot.run_id,
                        as_of=utc(snapshot.as_of), built_at=utc(snapshot.built_at),
                        row_counts=snapshot.row_counts())

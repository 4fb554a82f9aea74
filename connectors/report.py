"""What one load did, per file and per entity (returned to callers, shown in Dagster)."""

from __future__ import annotations

from dataclasses import dataclass

MISSING = "missing"
MISSING_NOTE = "deleted from the landing after its load; its rows are kept"


@dataclass(frozen=True)
class FileLoadReport:
    file: str  # path relative to the landing root
    status: str  # loaded | failed | duplicate (same bytes as another loaded file) | skipped
    # (unchanged since its last load; never written to the manifest) | missing (deleted from
    # the landing after its load; its rows are kept)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    error: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class EntityLoadReport:
    entity: str  # e.g. `netops/alarms`
    files: list[FileLoadReport]

    def _with(self, status: str) -> list[FileLoadReport]:
        return [f for f in self.files if f.status == status]

    @property
    def loaded(self) -> list[FileLoadReport]:
        return self._with("loaded")

    @property
    def failed(self) -> list[FileLoadReport]:
        return self._with("failed")

    @property
    def skipped(self) -> list[FileLoadReport]:
        return self._with("skipped")

    @property
    def duplicates(self) -> list[FileLoadReport]:
        return self._with("duplicate")

    @property
    def missing(self) -> list[FileLoadReport]:
        return self._with(MISSING)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

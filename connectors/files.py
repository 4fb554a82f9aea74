"""Finding the files of one entity under a landing root, and fingerprinting them."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from complaint_trace.contract import Entity

# Suffix -> reader format. Gzip is handled by the DuckDB readers themselves.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".parquet": "parquet",
    # standard feeds (connectors/standard): 3GPP PM files; TMF642 and VES JSON
    ".xml": "xml",
    ".xml.gz": "xml",
    ".json": "json",
    ".json.gz": "json",
}


@dataclass(frozen=True)
class LandingFile:
    """One delivered file: its absolute path and its path relative to the landing root."""

    path: Path
    rel: str  # e.g. `netops/alarms/2026-03-02.csv`: the key of the manifest and `_source_file`
    format: str | None  # None: not a format the contract allows

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def file_format(name: str) -> str | None:
    """The reader format for a file name, or None when the suffix is not in the contract."""
    lowered = name.lower()
    return next((fmt for suffix, fmt in FORMATS.items() if lowered.endswith(suffix)), None)


def entity_files(landing_dir: Path, entity: Entity) -> list[LandingFile]:
    """Every delivered file in the entity's folder, sorted by name (the business date).

    Hidden files (`.name`) are skipped: writers use them for deliveries still in transit.
    Files with a suffix outside the contract are returned with `format=None` so the loader
    reports them instead of ignoring them silently.
    """
    folder = landing_dir / entity.source / entity.name
    if not folder.is_dir():
        return []
    found = [
        LandingFile(p, p.relative_to(landing_dir).as_posix(), file_format(p.name))
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    ]
    return sorted(found, key=lambda f: f.rel)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read into one reused buffer so large files do not fill
    memory (`hashlib.file_digest`; 0.34 s for 348 MB here, reading 1 MB chunks 0.38–0.46)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def landing_files(landing_dir: Path,
                  entities: tuple[Entity, ...]) -> dict[Entity, list[LandingFile]]:
    """Each entity's delivered files (`entity_files`), listed once for all who need them."""
    return {entity: entity_files(landing_dir, entity) for entity in entities}


def landing_fingerprint(landing_dir: Path, entities: tuple[Entity, ...],
                        listed: dict[Entity, list[LandingFile]] | None = None
                        ) -> tuple[int, str]:
    """(file count, digest of every file's path, size and mtime) over the entities' folders
    (`listed`: their files, when the caller has listed them already).

    Cheap (no file is read) and changes whenever a file is added, replaced or touched: the
    sensor's cursor. Whether a file really changed is decided later by its SHA-256.
    """
    listed = listed if listed is not None else landing_files(landing_dir, entities)
    digest = hashlib.sha256()
    count = 0
    for entity in entities:
        for file in listed[entity]:
            stat = file.path.stat()
            digest.update(f"{file.rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            count += 1
    return count, digest.hexdigest()


@contextmanager
def opened(path: Path) -> Iterator[IO[bytes]]:
    """A landing file's bytes, gunzipped when its name ends in `.gz`."""
    with (gzip.open(path, "rb") if path.name.lower().endswith(".gz") else path.open("rb")) as f:
        yield f

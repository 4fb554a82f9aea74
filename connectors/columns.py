"""Matching a file's columns to the contract: any order, extras ignored, missing ones named."""

from __future__ import annotations

from dataclasses import dataclass, field

from complaint_trace.contract import Entity


class FileRejected(Exception):  # noqa: N818 - a verdict on the file, not a programming error
    """The whole file cannot be loaded (corrupt, not UTF-8, missing a required column...).

    The message names the file and the reason; the loader records it in the manifest and goes
    on with the other files.
    """


@dataclass(frozen=True)
class ColumnMap:
    """Contract column -> the name it has in the file (None when the file lacks it)."""

    found: dict[str, str | None]
    extra: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def _normalise(name: str) -> str:
    # Header cells often carry stray spaces or a different case; the contract names are
    # lower-case identifiers, so this cannot merge two distinct contract columns.
    return name.strip().lower()


def match_columns(entity: Entity, names: list[str], file: str) -> ColumnMap:
    """Map the file's column names to the contract's, or reject the file with a clear error."""
    by_norm: dict[str, str] = {}
    for name in names:
        norm = _normalise(name)
        if norm in by_norm:
            raise FileRejected(f"{file}: column {name!r} appears more than once")
        by_norm[norm] = name
    found = {c.name: by_norm.get(c.name) for c in entity.columns}
    missing_required = [c for c in entity.required_columns if found[c] is None]
    if missing_required:
        raise FileRejected(
            f"{file}: missing required column(s) {', '.join(missing_required)}"
        )
    wanted = {c.name for c in entity.columns}
    extra = tuple(n for n in names if _normalise(n) not in wanted)
    notes = []
    if missing_optional := [c for c, n in found.items() if n is None]:
        notes.append(f"optional column(s) absent, loaded as null: {', '.join(missing_optional)}")
    if extra:
        notes.append(f"extra column(s) ignored: {', '.join(extra)}")
    return ColumnMap(found, extra, notes)

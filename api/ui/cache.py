"""Values the pages derive from a snapshot once (rule catalogue, thresholds, departments): a
snapshot never changes, so they are kept until another one is served."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from api.reader import Snapshot

T = TypeVar("T")
_VALUES: dict[tuple[str, str], object] = {}


def per_snapshot(snapshot: Snapshot, name: str, compute: Callable[[], T]) -> T:
    key = (snapshot.version, name)
    if key not in _VALUES:  # two threads may both compute it: same value, no harm
        for old in [k for k in list(_VALUES) if k[0] != snapshot.version]:
            _VALUES.pop(old, None)
        _VALUES[key] = compute()
    return _VALUES[key]  # type: ignore[return-value]

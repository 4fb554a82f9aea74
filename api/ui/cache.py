"""Small tables the pages read from a snapshot on every request (rule catalogue, thresholds,
departments, warning levels): a snapshot never changes, so each query's rows are kept until
another snapshot is served."""

from __future__ import annotations

from api.reader import Snapshot

_ROWS: dict[tuple[str, str], list[tuple]] = {}


def snapshot_rows(snapshot: Snapshot, sql: str) -> list[tuple]:
    """The rows of `sql` on `snapshot`, read once per snapshot."""
    key = (snapshot.version, sql)
    if key not in _ROWS:  # two threads may both read it: same rows, no harm
        for old in [k for k in list(_ROWS) if k[0] != snapshot.version]:
            _ROWS.pop(old, None)
        with snapshot.cursor() as cur:
            _ROWS[key] = cur.execute(sql).fetchall()
    return _ROWS[key]

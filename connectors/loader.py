"""Load the landing files of an entity into its raw table: incremental, idempotent, reconciled.

Each file's changes commit together: forget what a previous version of the file loaded, stage,
validate, insert valid rows into `raw_<source>.<entity>` and failing rows into
`raw_meta.quarantine`, and record the counts in `raw_meta.file_manifest`. A file is one
transaction; a typed feed's files (read by worker processes) share one up to two row groups'
rows. A file whose SHA-256 is already in the manifest is skipped, so the same bytes twice
change nothing.
"""

from __future__ import annotations

import tempfile
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from complaint_trace.contract import Entity
from connectors.columns import FileRejected
from connectors.files import LandingFile, entity_files, sha256
from connectors.readers import MALFORMED, STAGE, StagedFile, drop_staging, stage_file
from connectors.report import MISSING, MISSING_NOTE, EntityLoadReport, FileLoadReport
from connectors.schema import LOAD_LOG, MANIFEST, QUARANTINE, ensure_schema, quote, raw_table
from connectors.standard.feeds import LANDING_FOLDERS, RECORD_FEEDS, TYPED_FEEDS, target_entities
from connectors.standard.insert import insert_feed_rows, quarantine_feed_file
from connectors.standard.pm_rows import SPOOL_PREFIX
from connectors.standard.prefetch import FeedPrefetch
from connectors.standard.readers import read_feed_records, stage_feed_records
from connectors.standard.typed import FeedRead
from connectors.validate import VALIDATED, validate_staged

# the write-ahead log a typed feed's load lets grow before DuckDB checkpoints it into the
# tables: a checkpoint rewrites the table's last row group, and at DuckDB's 16 MB one came
# every few PM files (~40 % of each commit's time); memory held stays bounded by this
TYPED_FEED_CHECKPOINT = "256MB"
# a typed feed's files share a transaction until it holds this many rows: DuckDB writes a
# transaction's full row groups (122,880 rows) compressed into the database file, where a
# PM file's rows alone went through the write-ahead log and a checkpoint (~2/3 of the
# commit's time), and one commit per file cost more than the file's insert; two row groups
# a commit measured faster than one or four, with the least memory
TYPED_FEED_GROUP_ROWS = 2 * 122_880


@dataclass
class _Pending:
    """What a transaction writes when it commits (`_commit`): the rows of its typed-feed files,
    and the manifest and log rows of all its files (one statement each, not one a file)."""

    rows: list[tuple[LandingFile, FeedRead]] = field(default_factory=list)
    records: list[list] = field(default_factory=list)


@dataclass(frozen=True)
class _Run:
    entity: Entity
    source_tz: str
    run_id: str
    loaded_at: datetime
    prefetch: FeedPrefetch | None = None  # a standard feed's files, read ahead


@contextmanager
def session_setting(con: duckdb.DuckDBPyConnection, name: str, value: object):
    """DuckDB's setting `name` at `value` while the block runs, then as it was."""
    previous = con.execute(f"select current_setting('{name}')").fetchone()[0]
    con.execute(f"set {name} = '{value}'")
    try:
        yield
    finally:
        con.execute(f"set {name} = '{previous}'")


def spool_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """Where a typed feed's reader spools a file's rows until they are inserted: a folder in
    DuckDB's temp directory (the warehouse's, `Settings.duckdb_temp_directory`), emptied of
    what a crashed load left; one load writes at a time (the warehouse's lock)."""
    configured = con.execute("select current_setting('temp_directory')").fetchone()[0]
    folder = Path(configured or tempfile.gettempdir()) / "feed-spool"
    for stale in folder.glob(f"{SPOOL_PREFIX}*"):
        stale.unlink(missing_ok=True)
    return folder


def load_entity(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    entity: Entity,
    source_tz: str,
    run_id: str,
) -> EntityLoadReport:
    """Load every new or changed file of `entity` found under `landing_dir`."""
    ensure_schema(con)
    manifest = con.execute(
        f"select file, sha256, status from {MANIFEST} where entity = ?", [entity.path]
    ).fetchall()
    recorded = {file for file, _, _ in manifest}
    # a file back after it went missing is processed again like a changed one
    known = {file: digest for file, digest, status in manifest if status != MISSING}
    loaded_as = {digest: file for file, digest, status in manifest if status == "loaded"}
    files = entity_files(Path(landing_dir), entity)
    prefetch = None
    if entity in TYPED_FEEDS:
        # a file at a known path is hashed first (unchanged, it is not read); the new ones are
        # read ahead by the workers while this process hashes them (one of the same bytes as
        # a loaded file is then read in vain, and recorded as its duplicate)
        digests = {f.rel: sha256(f.path) for f in files if f.rel in known}
        prefetch = FeedPrefetch(entity, [f for f in files if f.rel not in digests or (
            known[f.rel] != digests[f.rel] and digests[f.rel] not in loaded_as)],
            spool_dir(con))
        prefetch.start()
        digests |= {f.rel: sha256(f.path) for f in files if f.rel not in digests}
    else:
        digests = {f.rel: sha256(f.path) for f in files}
    run = _Run(entity, source_tz, run_id, datetime.now(UTC).replace(tzinfo=None), prefetch)
    # naive timestamps read in the source zone; while worker processes parse a feed's files,
    # DuckDB's own threads would take their cores from them (one thread inserts as fast)
    parsing_ahead = prefetch is not None and prefetch.pool is not None
    with session_setting(con, "TimeZone", source_tz), \
            session_setting(con, "threads", 1) if parsing_ahead else nullcontext(), \
            session_setting(con, "checkpoint_threshold", TYPED_FEED_CHECKPOINT) \
            if prefetch is not None else nullcontext(), \
            closing(prefetch) if prefetch else nullcontext():
        reports = {f.rel: FileLoadReport(f.rel, "skipped") for f in files
                   if known.get(f.rel) == digests[f.rel]}
        pending = [f for f in files if f.rel not in reports]
        if prefetch is not None:
            done = _load_typed_files(con, run, pending, digests, recorded, loaded_as)
        else:
            done = [_load_file(con, run, f, digests[f.rel], f.rel in recorded, loaded_as)
                    for f in pending]
        reports.update((report.file, report) for report in done)
    reports = [reports[f.rel] for f in files]
    reports += _record_missing(con, run, {f.rel for f in files},
                               {file for file, _, status in manifest if status != MISSING})
    return EntityLoadReport(entity.path, reports)


def _record_missing(con: duckdb.DuckDBPyConnection, run: _Run, present: set[str],
                    recorded: set[str]) -> list[FileLoadReport]:
    """Files of the manifest no longer in the landing (deleted after their load): marked
    `missing`, their rows kept (a delivered file is immutable; its deletion is an operator's
    act to be seen, not a retraction of data). `loaded_at` stays, so nothing is rebuilt."""
    gone = sorted(recorded - present)
    for rel in gone:
        con.execute(f"update {MANIFEST} set status = ?, notes = ? where file = ?",
                    [MISSING, f"{MISSING_NOTE} (seen by run {run.run_id})", rel])
    return [FileLoadReport(rel, MISSING, notes=MISSING_NOTE) for rel in gone]


def load_source(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, source: str, source_tz: str, run_id: str
) -> list[EntityLoadReport]:
    """Load every entity and standard feed of one source system (`crm`, `ticketing`,
    `netops`)."""
    return [load_entity(con, landing_dir, e, source_tz, run_id)
            for e in LANDING_FOLDERS if e.source == source]


def _load_file(
    con: duckdb.DuckDBPyConnection, run: _Run, file: LandingFile, digest: str, seen: bool,
    loaded_as: dict[str, str], reads: dict[str, FeedRead | FileRejected] | None = None,
) -> FileLoadReport:
    """One file in its own transaction; a failure rolls its changes back and records why."""
    try:
        con.execute("begin transaction")
        pending = _Pending()
        report = _apply(con, run, file, digest, seen, loaded_as, reads, pending)
        _commit(con, run, pending)
        return report
    except (FileRejected, duckdb.Error) as exc:
        con.execute("rollback")
        con.execute("begin transaction")
        pending = _Pending()
        report = _record_failure(con, run, file, digest, seen, exc, pending)
        _commit(con, run, pending)
        return report
    finally:
        if run.prefetch is None:  # a typed feed's rows are not staged
            drop_staging(con)
            con.execute(f"drop table if exists {VALIDATED}")


def _load_typed_files(
    con: duckdb.DuckDBPyConnection, run: _Run, files: list[LandingFile],
    digests: dict[str, str], recorded: set[str], loaded_as: dict[str, str],
) -> list[FileLoadReport]:
    """A typed feed's files, in transactions of TYPED_FEED_GROUP_ROWS rows or more (each
    file's rows and manifest entry still commit together)."""
    reports: list[FileLoadReport] = []
    start = 0
    while start < len(files):
        group, start = _load_group(con, run, files, start, digests, recorded, loaded_as)
        reports += group
    return reports


def _load_group(
    con: duckdb.DuckDBPyConnection, run: _Run, files: list[LandingFile], start: int,
    digests: dict[str, str], recorded: set[str], loaded_as: dict[str, str],
) -> tuple[list[FileLoadReport], int]:
    """Files from `start` in one transaction until it holds a group's rows; the reports and
    where the next group starts. A file its reader rejects is recorded as failed in the
    group; any other failure rolls the group back and loads its files one by one."""
    before = dict(loaded_as)
    reads: dict[str, FeedRead | FileRejected] = {}
    reports: list[FileLoadReport] = []
    pending = _Pending()
    rows, end = 0, start
    con.execute("begin transaction")
    try:
        while end < len(files) and rows < TYPED_FEED_GROUP_ROWS:
            file = files[end]
            end += 1
            digest, seen = digests[file.rel], file.rel in recorded
            if not _duplicate_of(loaded_as, file, digest):
                read = _typed_read(run, file, reads)
                if isinstance(read, FileRejected):
                    reports.append(_record_failure(con, run, file, digest, seen, read,
                                                   pending))
                    continue
                rows += read.value_rows
            reports.append(_apply(con, run, file, digest, seen, loaded_as, reads, pending))
        _commit(con, run, pending)
        return reports, end
    except (FileRejected, duckdb.Error):
        con.execute("rollback")
        loaded_as.clear()
        loaded_as.update(before)
        return [_load_file(con, run, f, digests[f.rel], f.rel in recorded, loaded_as, reads)
                for f in files[start:end]], end
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for read in reads.values():
            if not isinstance(read, FileRejected) and read.spool is not None:
                read.spool.unlink(missing_ok=True)


def _typed_read(run: _Run, file: LandingFile,
                reads: dict[str, FeedRead | FileRejected]) -> FeedRead | FileRejected:
    """What the reader read from `file` (read once, kept while its group may be retried), or
    why it rejected it."""
    if file.rel not in reads:
        try:
            reads[file.rel] = run.prefetch.read(file)
        except FileRejected as exc:
            reads[file.rel] = exc
    return reads[file.rel]


def _duplicate_of(loaded_as: dict[str, str], file: LandingFile, digest: str) -> str | None:
    """The loaded file whose bytes `file` repeats under another name, if any."""
    original = loaded_as.get(digest)
    return original if original and original != file.rel else None


def _commit(con: duckdb.DuckDBPyConnection, run: _Run, pending: _Pending) -> None:
    """Write what the transaction left pending, then commit."""
    if pending.rows:
        insert_feed_rows(con, run.entity, pending.rows, run.run_id, run.loaded_at)
    if pending.records:
        rows = ", ".join(["(" + ", ".join("?" * len(_RECORD_COLUMNS)) + ")"]
                         * len(pending.records))
        values = [value for record in pending.records for value in record]
        for table in (MANIFEST, LOAD_LOG):
            con.execute(f"insert into {table} ({', '.join(_RECORD_COLUMNS)}) values {rows}",
                        values)
    con.execute("commit")


def _apply(
    con: duckdb.DuckDBPyConnection, run: _Run, file: LandingFile, digest: str, seen: bool,
    loaded_as: dict[str, str], reads: dict[str, FeedRead | FileRejected] | None,
    pending: _Pending,
) -> FileLoadReport:
    """What one file changes, inside the caller's transaction: a file's bytes delivered again
    under another name change nothing (data contract), they are noted as a duplicate of the
    loaded file; any other file's rows replace what an earlier version of it loaded."""
    if seen:
        _forget(con, run.entity, file.rel)
    if original := _duplicate_of(loaded_as, file, digest):
        report = FileLoadReport(file.rel, "duplicate", notes=f"same bytes as {original}")
    else:
        report = _stage_validate_insert(con, run, file, reads, pending)
    _record(run, file, digest, report, pending)
    if report.status == "loaded":
        loaded_as.setdefault(digest, file.rel)
    return report


def _record_failure(con: duckdb.DuckDBPyConnection, run: _Run, file: LandingFile,
                    digest: str, seen: bool, exc: Exception, pending: _Pending,
                    ) -> FileLoadReport:
    """The file at this path is now an unreadable version: drop what an earlier version
    loaded, so raw, quarantine and manifest keep agreeing, and record why."""
    error = str(exc) if isinstance(exc, FileRejected) else f"{file.rel}: {exc}"
    report = FileLoadReport(file.rel, "failed", error=error)
    if seen:
        _forget(con, run.entity, file.rel)
    _record(run, file, digest, report, pending)
    return report


def _forget(con: duckdb.DuckDBPyConnection, entity: Entity, rel: str) -> None:
    for target in target_entities(entity):
        con.execute(f"delete from {raw_table(target)} where _source_file = ?", [rel])
    con.execute(f"delete from {QUARANTINE} where file = ?", [rel])
    con.execute(f"delete from {MANIFEST} where file = ?", [rel])


def _stage_validate_insert(
    con: duckdb.DuckDBPyConnection, run: _Run, file: LandingFile,
    reads: dict[str, FeedRead | FileRejected] | None, pending: _Pending,
) -> FileLoadReport:
    if run.prefetch is not None:  # a standard feed: typed by its reader, not staged as text
        read = _typed_read(run, file, reads)  # a typed feed's file comes with its group's
        if isinstance(read, FileRejected):
            raise read
        pending.rows.append((file, read))  # inserted with the transaction's (`_commit`)
        return quarantine_feed_file(con, run.entity, file, run.run_id, run.loaded_at, read)
    if run.entity not in RECORD_FEEDS:
        staged = stage_file(con, file, run.entity)
        read, loaded, quarantined = _validate_insert(con, run, file, run.entity, staged)
        notes = staged.notes
    else:  # each record rows of contract entities, each entity's staged and checked in turn
        counts = [_validate_insert(con, run, file, target,
                                   stage_feed_records(con, target, records))
                  for target, records in read_feed_records(file, run.entity).items()]
        read, loaded, quarantined = (sum(c) for c in zip(*counts, strict=True))
        notes = [] if read else ["empty file: no rows"]
    return FileLoadReport(file.rel, "loaded", read, loaded, quarantined,
                          notes="; ".join(notes) or None)


def _validate_insert(con: duckdb.DuckDBPyConnection, run: _Run, file: LandingFile,
                     target: Entity, staged: StagedFile) -> tuple[int, int, int]:
    """Check the staged rows against `target`'s contract, insert the valid ones into its raw
    table and the rest into the quarantine: (rows read, loaded, quarantined)."""
    validate_staged(con, target, staged)
    names = ", ".join(quote(c.name) for c in target.columns)
    meta = [file.rel, run.run_id, run.loaded_at]
    loaded = con.execute(
        f"insert into {raw_table(target)} ({names}, _source_file, _source_row, _loaded_at, "
        f"_run_id) select {names}, ?, _source_row, ?, ? from {VALIDATED} where reason is null "
        f"order by _source_row",
        [file.rel, run.loaded_at, run.run_id],
    ).fetchone()[0]
    quarantined = con.execute(
        f"insert into {QUARANTINE} "
        f"select '{run.entity.path}', ?, v._source_row, v.reason, {staged.raw_expr}, ?, ? "
        f"from {VALIDATED} as v join {STAGE} as s using (_source_row) where v.reason is not null "
        f"union all select '{run.entity.path}', ?, row_number, reason, raw, ?, ? from {MALFORMED}",
        meta + meta,
    ).fetchone()[0]
    read = con.execute(
        f"select (select count(*) from {STAGE}) + (select count(*) from {MALFORMED})"
    ).fetchone()[0]
    if read != loaded + quarantined:
        # A bug in the loader, never a property of the data: refuse to commit anything.
        raise FileRejected(
            f"{file.rel}: rows do not reconcile: read {read}, loaded {loaded}, "
            f"quarantined {quarantined}"
        )
    return read, loaded, quarantined


_RECORD_COLUMNS = ("entity", "file", "sha256", "size_bytes", "rows_read", "rows_loaded",
                   "rows_quarantined", "status", "error", "run_id", "loaded_at", "notes")


def _record(run: _Run, file: LandingFile, digest: str, report: FileLoadReport,
            pending: _Pending) -> None:
    """The file's manifest and log row, written when its transaction commits."""
    pending.records.append([run.entity.path, file.rel, digest, file.size, report.rows_read,
                            report.rows_loaded, report.rows_quarantined, report.status,
                            report.error, run.run_id, run.loaded_at, report.notes])

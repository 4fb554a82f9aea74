"""Run a Great Expectations 1.x suite over a pandas DataFrame and report each expectation.

One file context lives under `<home>/gx`; its Data Docs site is written to the settings'
`data_docs_dir`, so an auditor opens `<home>/data_docs/index.html`. The pages GX writes are made
to load only local files (`offline_docs`): auditors have no internet. The DataFrame is read from
DuckDB by the caller: GX's SQL path to DuckDB has open upstream bugs (style guide).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import great_expectations as gx
import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
)
from great_expectations.expectations import Expectation

from quality_checks.data_docs import data_docs_index
from quality_checks.offline_docs import (
    VENDOR_DIR,
    OfflineDocsError,
    all_pages,
    gx_static_styles,
    make_offline,
)

DATASOURCE = "complaint_trace"
SITE = "complaint_trace_docs"
SAMPLE_SIZE = 20
# Validation results are kept as run history; the index page lists (and loads) only the most
# recent ones, so rendering it does not grow with every run: ~30 runs of the 13 suites.
INDEX_VALIDATIONS_SHOWN = 400


@dataclass(frozen=True)
class ExpectationOutcome:
    """What one expectation found: counts and every unexpected row's index values."""

    suite: str
    expectation_type: str
    column: str | None
    meta: dict
    success: bool
    element_count: int
    unexpected_count: int
    unexpected_ids: tuple[str, ...]

    @property
    def sample_ids(self) -> list[str]:
        return list(self.unexpected_ids[:SAMPLE_SIZE])


def _site_config(docs_dir: Path) -> dict:
    return {
        "class_name": "SiteBuilder",
        "site_index_builder": {
            "class_name": "DefaultSiteIndexBuilder",
            "validation_results_limit": INDEX_VALIDATIONS_SHOWN,
            "show_how_to_buttons": False,  # auditors read the site; GX tutorials are noise
        },
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(docs_dir),
        },
    }


@dataclass
class GxSession:
    """The file context and the validation results of this session still to render."""

    context: FileDataContext
    docs_dir: Path
    to_render: list = field(default_factory=list)

    def render_data_docs(self) -> None:
        """Render this session's results and the index once: what `UpdateDataDocsAction`
        does per checkpoint, which re-rendered the whole index for each table (2/3 of the
        integrity suite's time). Then make the pages written load only local files."""
        if self.to_render:
            # a folder GX rendered before the docs were made offline: rewrite it all, once
            first_offline = not (self.docs_dir / VENDOR_DIR).is_dir()
            self.context.build_data_docs(
                site_names=[SITE], resource_identifiers=self.to_render, build_index=True
            )
            pages = all_pages(self.docs_dir) if first_offline else self._rendered_pages()
            make_offline(self.docs_dir, pages)
            self.to_render.clear()

    def _rendered_pages(self) -> list[Path]:
        """The files a build just wrote: the index, each resource's page, GX's style sheets."""
        pages = [data_docs_index(self.docs_dir)] + [self._page(key) for key in self.to_render]
        unwritten = [page for page in pages if not page.is_file()]
        if unwritten:
            # left as GX wrote it, the page would load its CDNs: fail rather than go blank
            raise OfflineDocsError(f"GX wrote no page at {unwritten[0]}: its Data Docs layout "
                                   "changed (GxSession._page)")
        return pages + gx_static_styles(self.docs_dir)

    def _page(self, key) -> Path:
        """Where GX's filesystem site writes a resource: `expectations/<suite>.html` and
        `validations/<suite>/<run name>/<run time>/<batch>.html`, one folder per dot-part of
        the suite name (what `get_docs_sites_urls` answers, without building a site builder
        per call: 3.5 ms each)."""
        section = "expectations" if isinstance(key, ExpectationSuiteIdentifier) else "validations"
        *folders, name = key.to_tuple()
        return self.docs_dir.joinpath(section, *folders, f"{name}.html")


@contextmanager
def gx_session(home_dir: Path, docs_dir: Path) -> Iterator[GxSession]:
    """The file context under `<home>/gx`, held under an exclusive lock; Data Docs are
    rendered when the block ends without error.

    Dagster runs checks and assets in parallel processes; GX's file stores and the Data Docs
    index are not safe for concurrent writers, so one process at a time uses the context.
    """
    home_dir.mkdir(parents=True, exist_ok=True)
    with (home_dir / ".gx.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            logging.getLogger("great_expectations").setLevel(logging.WARNING)
            context = gx.get_context(mode="file", project_root_dir=str(home_dir))
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            sites = context.config.data_docs_sites or {}
            if SITE in sites:
                context.update_data_docs_site(SITE, _site_config(docs_dir))
            else:
                context.add_data_docs_site(SITE, _site_config(docs_dir))
            session = GxSession(context, docs_dir)
            yield session
            session.render_data_docs()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _batch_definition(context, asset_name: str):
    source = context.data_sources.add_or_update_pandas(DATASOURCE)
    try:
        asset = source.get_asset(asset_name)
    except LookupError:
        asset = source.add_dataframe_asset(asset_name)
    try:
        return asset.get_batch_definition("whole")
    except KeyError:
        return asset.add_batch_definition_whole_dataframe("whole")


class GxExpectationError(RuntimeError):
    """GX could not compute an expectation (e.g. a column the suite names is missing)."""


def _raised(info: dict | None) -> str | None:
    """The error message in an expectation's `exception_info`, in either of its shapes:
    flat (`raised_exception`, `exception_message`) or keyed by metric id."""
    if not info:
        return None
    if "raised_exception" in info:
        return str(info.get("exception_message")) if info["raised_exception"] else None
    messages = [str(v.get("exception_message")) for v in info.values()
                if isinstance(v, dict) and v.get("raised_exception", True)
                and v.get("exception_message")]
    return "; ".join(messages) or None


def _index_value(row: dict, index_columns: Sequence[str]) -> str:
    return "|".join(str(row[c]) for c in index_columns)


def validate_frame(
    session: GxSession,
    *,
    name: str,
    frame: pd.DataFrame,
    expectations: Sequence[Expectation],
    index_columns: Sequence[str],
    run_name: str,
    run_time: datetime,
    shown_columns: Sequence[str] = (),
) -> list[ExpectationOutcome]:
    """Validate `frame` against a suite `name` through a checkpoint; its result is stored
    and queued for Data Docs.

    `unexpected_ids` are the `index_columns` values of every unexpected row (joined by `|`
    for compound keys), taken from GX's COMPLETE result. `shown_columns` are listed beside
    them in Data Docs' tables of unexpected rows (GX applies a checkpoint's result format to
    every expectation of the suite); they are not part of the ids.
    """
    context = session.context
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=name, expectations=expectations))
    validation = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=_batch_definition(context, name), suite=suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=[validation],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [*index_columns, *shown_columns],
                "return_unexpected_index_query": False,
            },
        )
    )
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        run_id=RunIdentifier(run_name=run_name, run_time=run_time),
    )
    session.to_render += [*result.run_results, ExpectationSuiteIdentifier(name=name)]
    outcomes: list[ExpectationOutcome] = []
    for suite_result in result.run_results.values():
        for item in suite_result.results:
            error = _raised(item.exception_info)
            if error:
                # An expectation that could not be computed reports success=False and no rows:
                # read as "no finding", it would hide breaches. Fail loudly instead.
                raise GxExpectationError(
                    f"GX expectation {item.expectation_config.type} on "
                    f"{item.expectation_config.kwargs.get('column')!r} in suite {name} "
                    f"could not be computed: {error}"
                )
            details = item.result or {}
            ids = tuple(
                _index_value(row, index_columns) for row in details.get("unexpected_index_list", [])
            )
            if len(ids) != int(details.get("unexpected_count") or 0):
                # Findings are these ids: a truncated list would lose findings silently.
                raise GxExpectationError(
                    f"GX listed {len(ids)} of {details.get('unexpected_count')} unexpected rows"
                    f" for {item.expectation_config.type} in suite {name}"
                )
            outcomes.append(
                ExpectationOutcome(
                    suite=name,
                    expectation_type=item.expectation_config.type,
                    column=item.expectation_config.kwargs.get("column"),
                    meta=dict(item.expectation_config.meta or {}),
                    success=bool(item.success),
                    element_count=int(details.get("element_count") or 0),
                    unexpected_count=int(details.get("unexpected_count") or 0),
                    unexpected_ids=ids,
                )
            )
    return outcomes

"""Reading a Data Docs folder without Great Expectations: where its index is and which page
shows the latest validation of each suite and rule. The API's pages link to them, so this
module imports no GX (the service stays light)."""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from pathlib import Path

# How an expectation of a rule is labelled (its GX `description` starts with this): rule id,
# name and severity from the rule catalogue.
RULE_LABEL = "{rule_id} · {rule_name} · severity {severity}"
RULE_LABEL_PATTERN = re.compile(r"(?P<rule_id>[^\s·]+) · [^·]+ · severity \S+")


def data_docs_index(docs_dir: Path) -> Path:
    """The page an auditor opens in a browser."""
    return docs_dir / "index.html"


class _RuleAnchors(HTMLParser):
    """The id of the table cell holding each rule's first expectation on a validation page:
    GX gives every expectation's cell an id (`section-2-content-block-2-cell-1-2`, by
    position on that page) and renders its description, which starts with the rule label."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: dict[str, str] = {}
        self._cells: list[str | None] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "td":
            self._cells.append(dict(attrs).get("id"))

    def handle_endtag(self, tag) -> None:
        if tag == "td" and self._cells:
            self._cells.pop()

    def handle_data(self, data) -> None:
        found = RULE_LABEL_PATTERN.match(data.strip())
        cell = next((c for c in reversed(self._cells) if c), None)
        if found and cell and found["rule_id"] not in self.anchors:
            self.anchors[found["rule_id"]] = cell


def _rule_anchors(page: Path) -> dict[str, str]:
    text = page.read_text(encoding="utf-8")
    if " · severity " not in text:  # integrity pages name no rule: skip parsing them
        return {}
    parser = _RuleAnchors()
    parser.feed(text)
    parser.close()
    return parser.anchors


@functools.lru_cache(maxsize=8)
def _latest_pages(docs_dir: Path, _index_version: int) -> dict[str, str]:
    root = docs_dir / "validations"
    latest: dict[str, tuple[tuple[str, str], Path]] = {}
    # validations/<suite, one folder per dot-part>/<run name>/<run time>/<batch>.html; GX's
    # run-time folders (20261201T113950.740522Z) sort in time order
    for page in root.glob("**/*.html"):
        parts = page.relative_to(root).parts
        if len(parts) < 4:
            continue
        *suite, run_name, run_time, _ = parts
        name = ".".join(suite)
        if name not in latest or (run_time, run_name) > latest[name][0]:
            latest[name] = ((run_time, run_name), page)
    pages: dict[str, str] = {}
    for name, (_, page) in sorted(latest.items()):
        relative = page.relative_to(docs_dir).as_posix()
        pages[name] = relative
        for rule_id, cell in _rule_anchors(page).items():
            pages.setdefault(rule_id, f"{relative}#{cell}")
    return pages


def latest_validation_pages(docs_dir: Path) -> dict[str, str]:
    """Where, in a Data Docs folder, the latest validation of each suite and rule is shown.

    Keys are suite names (`audit_rules`, `integrity.stg_ticketing__tickets`, …) and rule ids
    (`T1` … `F5`); values are posix paths relative to `docs_dir`. A suite maps to the page of
    its latest validation (latest run time); a rule maps to the latest validation page of the
    suite holding its expectations, plus `#<id>` of the table cell of the rule's first
    expectation on that page (GX's ids are positional, valid for that page only). A rule whose
    expectations were never validated, or a folder without validations, has no key.

    Reads only the folder (a listing of `validations/` and the latest pages that name rules);
    the answer is cached until the next render rewrites `index.html`.
    """
    index = data_docs_index(docs_dir)
    version = index.stat().st_mtime_ns if index.is_file() else 0
    return dict(_latest_pages(docs_dir.resolve(), version))

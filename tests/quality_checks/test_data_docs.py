"""Data Docs for auditors offline: local assets only, rules labelled from the catalogue,
durations in hours and minutes, and the latest page of each suite and rule.

One rule-suite validation of the hand-made facts of `test_audit_rules` (no pipeline run)
renders the three kinds of page GX writes: the index, a suite page and a validation page.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import pytest
from qc_factories import audit_config, load_facts
from test_audit_rules import AS_OF, VARS, _rows

from quality_checks.audit import validate_rules
from quality_checks.config import load_audit_config
from quality_checks.data_docs import latest_validation_pages
from quality_checks.facts import read_facts
from quality_checks.offline_docs import (
    VENDOR_DIR,
    OfflineDocsError,
    local_copy,
    make_offline,
    rewrite_html,
)
from quality_checks.rules import hours_and_minutes, rule_expectations, with_reading

CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)""")


class _References(HTMLParser):
    """Every src/href/srcset value and CSS url(…) (style blocks and attributes) of a page,
    and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag, attrs) -> None:
        self._tag = tag
        for name, value in attrs:
            if name in ("src", "href", "srcset") and value:
                self.urls.append(value)
            elif name == "style" and value:
                self.urls += CSS_URL.findall(value)
            elif name == "id" and value:
                self.ids.add(value)

    def handle_data(self, data) -> None:
        if self._tag == "style":
            self.urls += CSS_URL.findall(data)
        elif self._tag != "script":
            self.text.append(data)


def _parse(page: Path) -> _References:
    parser = _References()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    return parser


def _words(page: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(_parse(page).text))


def _validate(home: Path, facts, cfg, run_id: str) -> None:
    validate_rules(facts, cfg, home_dir=home, docs_dir=home / "data_docs", run_id=run_id,
                   as_of=AS_OF)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("docs")
    cfg = audit_config(**VARS)
    con = load_facts(root / "warehouse.duckdb", _rows(cfg)[0])
    facts = read_facts(con)
    con.close()
    _validate(root / "home", facts, cfg, "run-1")
    return root / "home", facts, cfg


def _docs(rendered) -> Path:
    return rendered[0] / "data_docs"


def _validation_page(docs: Path, run_id: str = "run-1") -> Path:
    (page,) = (docs / "validations" / "audit_rules").glob(f"{run_id}-asof-*/*/*.html")
    return page


def _assert_offline(docs: Path) -> int:
    """No page or style sheet names another host; every local file referenced exists.
    Returns how many local references were followed."""
    checked = 0
    for page in [*sorted(docs.rglob("*.html")), *sorted(docs.rglob("*.css"))]:
        urls = (CSS_URL.findall(page.read_text(encoding="utf-8")) if page.suffix == ".css"
                else _parse(page).urls)
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme == "data":  # inline (Bootstrap's icons)
                continue
            assert not parts.scheme and not parts.netloc, f"{page} references {url}"
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                assert target.is_file(), f"{page} references missing {url}"
                checked += 1
    return checked


def test_pages_load_nothing_from_another_host_and_every_local_file_exists(rendered):
    docs = _docs(rendered)
    assert len(list(docs.rglob("*.html"))) == 3  # the index, the suite page, the result page
    assert _assert_offline(docs) > 40  # vendor scripts, styles, fonts and logo of each page
    assert (docs / VENDOR_DIR / "jquery" / "dist" / "jquery.min.js").is_file()
    assert list((docs / VENDOR_DIR).rglob("webfonts/fa-solid-900.woff2"))


def test_the_pipeline_docs_are_offline_and_link_every_catalogued_rule(pipeline_home):
    """The shared pipeline run (integrity suites of every table, the real rule catalogue)."""
    docs = pipeline_home.home / "data_docs"
    assert _assert_offline(docs) > 100
    pages = latest_validation_pages(docs)
    with duckdb.connect(str(pipeline_home.home / "warehouse.duckdb"), read_only=True) as con:
        cfg = load_audit_config(con)
    for rule_id in {e.meta["rule_id"] for e in rule_expectations(cfg)}:
        path, _, anchor = pages[rule_id].partition("#")
        assert (docs / path).is_file() and anchor in _parse(docs / path).ids
    assert {"audit_rules", "integrity.stg_ticketing__tickets"} <= set(pages)
    assert all((docs / p.partition("#")[0]).is_file() for p in pages.values())


def test_rewritten_tags_drop_cdn_hashes_and_links_out_of_the_site(rendered):
    page = _validation_page(_docs(rendered))
    text = page.read_text(encoding="utf-8")
    assert "integrity=" not in text and "crossorigin" not in text
    assert "newsletter" not in text.lower()


def test_each_rule_expectation_is_labelled_from_the_catalogue(rendered):
    _, _, cfg = rendered
    words = _words(_validation_page(_docs(rendered)))
    for rule_id in {e.meta["rule_id"] for e in rule_expectations(cfg)}:
        info = cfg.rules[rule_id]
        assert f"{rule_id} · {info.rule_name} · severity {info.severity}" in words
    assert "then values in" not in words  # GX's column algebra replaced by the description


def test_durations_are_shown_in_hours_and_minutes(rendered):
    words = _words(_validation_page(_docs(rendered)))
    # t1_over: clock 2881 min against a 2880 min limit; f4_at_window: 120 h, the 5-day window
    assert "t1_over T1 48 h 1 min > limit 48 h" in words
    assert "f4_at_window F4 120 h ≤ limit 120 h" in words
    assert "f2_at_share F2 40% ≥ limit 40%" in words
    assert hours_and_minutes(1543.4833) == "25 h 43 min"
    assert hours_and_minutes(2880.4, seconds=True) == "48 h 24 s"


def test_the_reading_column_leaves_the_validated_facts_as_they_were(rendered):
    _, facts, cfg = rendered
    assert "reading" not in facts.columns
    clean = with_reading(facts[facts["ticket_id"] == "clean"], rule_expectations(cfg))
    assert clean["reading"].tolist() == ["–"]  # no breach of any limit: nothing to format


def test_latest_validation_pages_name_each_suite_and_rule(rendered):
    docs = _docs(rendered)
    _, _, cfg = rendered
    pages = latest_validation_pages(docs)
    assert pages["audit_rules"] == _validation_page(docs).relative_to(docs).as_posix()
    rule_ids = {e.meta["rule_id"] for e in rule_expectations(cfg)}
    assert rule_ids <= set(cfg.rules) and rule_ids <= set(pages)
    for rule_id in rule_ids:
        path, _, anchor = pages[rule_id].partition("#")
        assert path == pages["audit_rules"]
        parsed = _parse(docs / path)
        assert anchor in parsed.ids
        assert rule_id in re.sub(r"\s+", " ", " ".join(parsed.text))


def test_a_later_render_rewrites_old_cdn_pages_once_and_is_the_latest(rendered, tmp_path):
    source_home, facts, cfg = rendered
    home = tmp_path / "home"
    shutil.copytree(source_home, home)
    docs = home / "data_docs"
    # as rendered before the docs were offline: run-1's page on the CDN, no vendor folder
    old = _validation_page(docs)
    local = 'src="../../../../static/vendor/jquery/dist/jquery.min.js"'
    cdn = 'src="https://code.jquery.com/jquery-3.7.1.min.js"'
    old.write_text(old.read_text().replace(local, cdn))
    shutil.rmtree(docs / VENDOR_DIR)
    _validate(home, facts, cfg, "run-2")  # renders run-2's page only
    assert local in old.read_text() and "code.jquery.com" not in old.read_text()
    latest = latest_validation_pages(docs)
    assert "/run-2-asof-" in latest["audit_rules"] and "/run-2-asof-" in latest["T1"]


def test_cdn_addresses_match_across_versions_schemes_and_query_strings():
    assert local_copy("https://cdn.jsdelivr.net/npm/vega@6").local.endswith("vega.min.js")
    assert local_copy("//unpkg.com/bootstrap-table@1.22.0/dist/bootstrap-table.min.js?v=1")
    logo = local_copy("https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
                      "logo-long.png?d=20261201T113937Z&dataContextId=x")
    assert logo.local == "static/images/logo-long.png"
    assert local_copy("https://cdn.jsdelivr.net/npm/vega-lite@5").local.endswith(
        "vega-lite.min.js")


def test_an_unknown_cdn_address_fails_naming_the_file_and_the_address(tmp_path):
    page = tmp_path / "index.html"
    html = '<html><head><script src="https://cdn.example.org/newlib@2/newlib.min.js"></script>'
    with pytest.raises(OfflineDocsError, match=r"index\.html.*cdn\.example\.org/newlib@2"):
        rewrite_html(html, page, tmp_path)
    with pytest.raises(OfflineDocsError, match="cdn.example.org/font.woff2"):
        rewrite_html("<style>@font-face {src: url('https://cdn.example.org/font.woff2')}"
                     "</style>", page, tmp_path)


def test_an_address_the_rewrite_does_not_know_how_to_reach_still_fails(rendered, tmp_path):
    docs = tmp_path / "data_docs"
    shutil.copytree(_docs(rendered), docs)
    page = docs / "extra.html"
    page.write_text('<img srcset="https://cdn.example.org/logo.png 2x">')
    with pytest.raises(OfflineDocsError, match=r"extra\.html still loads https://cdn"):
        make_offline(docs, [page])

"""Make a GX Data Docs folder self-contained: it must render with no network.

GX's page templates load jQuery, Bootstrap, Vega, Font Awesome … from public CDNs and the GX logo
from S3; auditors read the docs on an operator network without internet, where such a page is
blank. After each render, `make_offline` copies the local npm builds (`web/node_modules`,
installed by `npm ci --prefix web`) into `<docs>/static/vendor/`, points every CDN address of the
pages just written at them with a relative path (so the folder works opened from disk and served
under any URL prefix), drops links out of the site, and fails naming the file and address if
anything still loads from a host: a GX upgrade that adds a CDN must fail loudly, not go blank.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from complaint_trace.settings import WEB_ASSETS_DIR

NODE_MODULES = WEB_ASSETS_DIR  # installed by `make install` (npm ci --prefix web)
VENDOR_DIR = "static/vendor"  # in the docs folder, beside GX's own static/ files


class LocalCopy(NamedTuple):
    cdn: str
    """The address without scheme, query or fragment; `{v}` stands for any version."""
    local: str
    """`node_modules/<package>/<file>` (copied to static/vendor/<package>/<file>) or a file GX
    already ships under `static/`."""
    loads: tuple[str, ...] = ()
    """Folders the file loads relatively (beside it in node_modules), copied along."""


# The one URL -> local file table. Versions in GX's addresses may drift from web/package.json
# (popper 1.12.9 there, 1.16.1 here): the local build is the one the web UI ships.
LOCAL_COPIES: tuple[LocalCopy, ...] = (
    LocalCopy("code.jquery.com/jquery-{v}.min.js", "node_modules/jquery/dist/jquery.min.js"),
    LocalCopy("maxcdn.bootstrapcdn.com/bootstrap/{v}/css/bootstrap.min.css",
              "node_modules/bootstrap/dist/css/bootstrap.min.css"),
    LocalCopy("stackpath.bootstrapcdn.com/bootstrap/{v}/js/bootstrap.min.js",
              "node_modules/bootstrap/dist/js/bootstrap.min.js"),
    LocalCopy("cdnjs.cloudflare.com/ajax/libs/popper.js/{v}/umd/popper.min.js",
              "node_modules/popper.js/dist/umd/popper.min.js"),
    LocalCopy("unpkg.com/bootstrap-table@{v}/dist/bootstrap-table.min.css",
              "node_modules/bootstrap-table/dist/bootstrap-table.min.css"),
    LocalCopy("unpkg.com/bootstrap-table@{v}/dist/bootstrap-table.min.js",
              "node_modules/bootstrap-table/dist/bootstrap-table.min.js"),
    LocalCopy("unpkg.com/bootstrap-table@{v}/dist/extensions/filter-control/"
              "bootstrap-table-filter-control.min.js",
              "node_modules/bootstrap-table/dist/extensions/filter-control/"
              "bootstrap-table-filter-control.min.js"),
    LocalCopy("unpkg.com/bootstrap-table@{v}/dist/extensions/filter-control/"
              "bootstrap-table-filter-control.css",
              "node_modules/bootstrap-table/dist/extensions/filter-control/"
              "bootstrap-table-filter-control.css"),
    LocalCopy("unpkg.com/bootstrap-table@{v}/dist/extensions/filter-control/"
              "bootstrap-table-filter-control.min.css",
              "node_modules/bootstrap-table/dist/extensions/filter-control/"
              "bootstrap-table-filter-control.min.css"),
    LocalCopy("cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/{v}/css/"
              "bootstrap-datepicker.min.css",
              "node_modules/bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css"),
    LocalCopy("cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/{v}/js/"
              "bootstrap-datepicker.min.js",
              "node_modules/bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js"),
    LocalCopy("cdnjs.cloudflare.com/ajax/libs/font-awesome/{v}/css/all.min.css",
              "node_modules/@fortawesome/fontawesome-free/css/all.min.css", ("../webfonts",)),
    LocalCopy("cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@{v}/dist/css/"
              "bootstrap-prefers-dark.css",
              "node_modules/@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css"),
    LocalCopy("cdn.jsdelivr.net/npm/vega@{v}", "node_modules/vega/build/vega.min.js"),
    LocalCopy("cdn.jsdelivr.net/npm/vega-lite@{v}",
              "node_modules/vega-lite/build/vega-lite.min.js"),
    LocalCopy("cdn.jsdelivr.net/npm/vega-embed@{v}",
              "node_modules/vega-embed/build/vega-embed.min.js"),
    LocalCopy("great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png",
              "static/images/logo-long.png"),
    # the dark-theme logo is not shipped with GX; the regular one stands in
    LocalCopy("great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png",
              "static/images/logo-long.png"),
)

# Attributes that pin a CDN file's hash and CORS mode: a local build differs from the CDN's
# bytes (the browser would refuse it) and a file:// page cannot make CORS requests.
_PINNING_ATTRIBUTES = ("integrity", "crossorigin")
_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<url>[^'")\s]+)(?P=q)\s*\)""", re.I)
# GX's footer advertises its newsletter: a dead link offline and no concern of an auditor.
_NEWSLETTER_FOOTER = re.compile(r"<footer>(?:(?!</footer>).)*newsletter(?:(?!</footer>).)*"
                                r"</footer>\s*", re.I | re.S)
_STATIC_REF = re.compile(r"^(?:\./|\.\./)*static/(?P<rest>[^?#]+)$")
_DROP = "\0drop"  # marks an attribute to remove (no attribute value holds a NUL)


class OfflineDocsError(RuntimeError):
    """A Data Docs page would load something from the network, or a local copy is missing."""


def is_remote(url: str) -> bool:
    """An address on another host: `http(s)://…` or scheme-relative `//…`."""
    return bool(re.match(r"^\s*(?:https?:)?//", url, re.I))


def _pattern(cdn: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(cdn).replace(re.escape("{v}"), "[^/]+") + "$", re.I)


_MATCHERS = tuple((_pattern(copy.cdn), copy) for copy in LOCAL_COPIES)


def local_copy(url: str) -> LocalCopy | None:
    """The table row for a CDN address (any scheme, version in `{v}`, query ignored)."""
    bare = re.sub(r"^\s*(?:https?:)?//", "", url, flags=re.I)
    bare = re.split(r"[?#]", bare, maxsplit=1)[0]
    return next((copy for pattern, copy in _MATCHERS if pattern.match(bare)), None)


def _in_docs(copy: LocalCopy) -> str:
    """Where a table row's file lives in the docs folder, relative to it."""
    if copy.local.startswith("node_modules/"):
        return f"{VENDOR_DIR}/{copy.local.removeprefix('node_modules/')}"
    return copy.local


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.is_file():
        here, there = source.stat(), target.stat()
        if (here.st_size, here.st_mtime_ns) == (there.st_size, there.st_mtime_ns):
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)  # keeps mtime: the next render sees it is up to date


def install_vendor_files(docs_dir: Path, node_modules: Path = NODE_MODULES) -> None:
    """Copy every table row's npm file (and the folders it loads) into `<docs>/static/vendor`;
    files already there and unchanged are left alone."""
    for copy in LOCAL_COPIES:
        if not copy.local.startswith("node_modules/"):
            if not (docs_dir / copy.local).is_file():
                raise OfflineDocsError(f"GX did not ship {copy.local} into {docs_dir}")
            continue
        source = node_modules / copy.local.removeprefix("node_modules/")
        if not source.is_file():
            raise OfflineDocsError(
                f"{source} is missing: run `npm ci --prefix web` (part of `make install`)")
        target = docs_dir / _in_docs(copy)
        _copy_if_changed(source, target)
        for folder in copy.loads:
            for item in sorted((source.parent / folder).resolve().rglob("*")):
                if item.is_file():
                    relative = item.relative_to((source.parent / folder).resolve())
                    _copy_if_changed(item, (target.parent / folder / relative).resolve())


def _relative(docs_dir: Path, in_docs: str, page: Path) -> str:
    return Path(os.path.relpath(docs_dir / in_docs, page.parent)).as_posix()


def _local_url(url: str, page: Path, docs_dir: Path) -> str:
    """The relative address of a remote URL's local copy, or an error naming page and URL."""
    copy = local_copy(url)
    if copy is None:
        raise OfflineDocsError(
            f"{page}: no local copy of {url}; add it to LOCAL_COPIES in "
            f"quality_checks/offline_docs.py (and its package to web/package.json)")
    return _relative(docs_dir, _in_docs(copy), page)


def _site_static(url: str, page: Path, docs_dir: Path) -> str:
    """GX's own `static/` files, addressed from the site root. Validation pages point their
    favicon one folder short (`../../../static/…` from four folders deep)."""
    found = _STATIC_REF.match(url)
    if not found or (page.parent / url).is_file():
        return url
    return _relative(docs_dir, f"static/{found['rest']}", page)


def _rewrite_css(text: str, page: Path, docs_dir: Path) -> str:
    def local(match: re.Match[str]) -> str:
        url = match["url"]
        if not is_remote(url):
            return match[0]
        return f"url('{_local_url(url, page, docs_dir)}')"

    return _CSS_URL.sub(local, text)


def _start_tag(tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> str:
    rendered = "".join(f" {name}" if value is None else f' {name}="{escape(value)}"'
                       for name, value in attrs)
    return f"<{tag}{rendered}{' /' if closed else ''}>"


class _TagRewriter(HTMLParser):
    """One pass over a page's start tags: each remote src/href gets its local address (a link
    out of the site loses its href) and every attribute's final value is checked, so nothing
    remote is left in a tag (the CSS `url(…)` are rewritten and checked apart)."""

    def __init__(self, page: Path, docs_dir: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.page, self.docs_dir = page, docs_dir
        self.edits: list[tuple[tuple[int, int], str, str]] = []  # (position, old, new)

    def handle_starttag(self, tag, attrs) -> None:
        self._rewrite(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs) -> None:
        self._rewrite(tag, attrs, closed=True)

    def _local(self, tag: str, name: str, value: str | None) -> str | None:
        """The attribute's new value; `_DROP` removes the attribute."""
        if value is None or name not in ("src", "href"):
            return value
        if tag == "a" and is_remote(value):
            return _DROP  # a link out of the site: dead offline, its text stays
        if is_remote(value):
            return _local_url(value, self.page, self.docs_dir)
        return _site_static(value, self.page, self.docs_dir)

    def _rewrite(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        new: list[tuple[str, str | None]] = []
        moved = False  # an address of this tag changed: its pinning attributes no longer hold
        for name, value in attrs:
            local = self._local(tag, name, value)
            if local is not _DROP:
                new.append((name, local))
                moved |= local != value
        if moved:
            new = [(n, v) for n, v in new if n not in _PINNING_ATTRIBUTES]
        for name, value in new:
            # srcset, poster, data… (GX uses none today): an address the table cannot reach
            if value and not name.startswith("xmlns") and is_remote(value):
                raise OfflineDocsError(f"{self.page} still loads {value} from the network")
        if new != attrs:
            new_tag = _start_tag(tag, new, closed)
            self.edits.append((self.getpos(), self.get_starttag_text(), new_tag))


def _apply(text: str, edits: Iterable[tuple[tuple[int, int], str, str]]) -> str:
    """Replace each start tag at its (line, column) position, as HTMLParser reports it."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out, done = [], 0
    for (line, column), old, new in edits:
        at = line_starts[line - 1] + column
        if not text.startswith(old, at):  # HTMLParser's positions are exact: a bug if not
            raise RuntimeError(f"start tag not found where HTMLParser saw it: {old!r}")
        out += [text[done:at], new]
        done = at + len(old)
    return "".join([*out, text[done:]])


def rewrite_html(text: str, page: Path, docs_dir: Path) -> str:
    """The page with every remote address pointing at its local copy, relative to the page;
    `OfflineDocsError` names the page and the address it cannot make local."""
    text = _NEWSLETTER_FOOTER.sub("", text)
    text = _rewrite_css(text, page, docs_dir)  # url(…) in <style> blocks and style="" alike
    parser = _TagRewriter(page, docs_dir)
    parser.feed(text)
    parser.close()
    return _apply(text, parser.edits)


def _check_css(text: str, page: Path) -> None:
    remote = [m["url"] for m in _CSS_URL.finditer(text) if is_remote(m["url"])]
    if remote:
        raise OfflineDocsError(f"{page} still loads {remote[0]} from the network")


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".offline.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a reader (the web UI serving the folder) sees old or new, never half


def make_offline(docs_dir: Path, pages: Iterable[Path], *,
                 node_modules: Path = NODE_MODULES) -> None:
    """Vendor files in place, then each of `pages` (HTML or CSS files in `docs_dir`) rewritten
    to load only local files; raises `OfflineDocsError` naming the file and address otherwise."""
    install_vendor_files(docs_dir, node_modules)
    for page in pages:
        if not page.is_file():
            continue
        text = page.read_text(encoding="utf-8")
        css = page.suffix == ".css"
        new = _rewrite_css(text, page, docs_dir) if css else rewrite_html(text, page, docs_dir)
        _check_css(new, page)  # tags were checked as they were rewritten
        if new != text:
            _write(page, new)


def gx_static_styles(docs_dir: Path) -> list[Path]:
    """The CSS files GX copies into `static/styles` on every build (not the vendor files)."""
    return sorted((docs_dir / "static" / "styles").glob("*.css"))


def all_pages(docs_dir: Path) -> list[Path]:
    """Every GX page and style sheet of the site (the vendor folder excluded)."""
    vendor = docs_dir / VENDOR_DIR
    pages = [p for p in docs_dir.rglob("*.html") if vendor not in p.parents]
    return sorted(pages) + gx_static_styles(docs_dir)

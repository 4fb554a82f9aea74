"""Fixtures of the browser tests: the service over the snapshot the real pipeline published
(`pipeline_home`), on a loopback port, and one headless Chromium for the session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from api.main import create_app
from api.security import Role, write_keys_file
from complaint_trace.settings import get_settings

from .browser import CHROMIUM, CHROMIUM_ARGS, OffNetwork, served

playwright_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Site:
    base: str
    keys: dict[str, str]
    home: Path
    truth: Path
    as_of: str

    def warehouse(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.home / "warehouse.duckdb"), read_only=True)


@pytest.fixture(scope="session")
def site(pipeline_home, tmp_path_factory) -> Site:
    keys_file = tmp_path_factory.mktemp("ui-keys") / "keys.json"
    keys = write_keys_file(keys_file, [(r.value, r) for r in Role])
    settings = get_settings(home=pipeline_home.home, api_keys_file=keys_file)
    app = create_app(settings.model_copy(update={"api_keys": None}))
    with served(app) as base:
        yield Site(base, keys, pipeline_home.home, pipeline_home.truth, pipeline_home.as_of)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail("Debian's chromium is not installed: run `make browser` (as root)")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Session:
    page: object
    off: OffNetwork
    site: Site
    errors: list[str]

    def sign_in(self, role: str, path: str = "/ui/") -> None:
        self.page.goto(self.site.base + path)
        self.page.fill("#key", self.site.keys[role])
        self.page.click("form[action='/ui/login'] button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def open(self, path: str) -> None:
        self.page.goto(self.site.base + path)
        self.page.wait_for_load_state("networkidle")


@pytest.fixture
def session(browser, site):
    """A fresh browser context (no cookies) whose requests off loopback are aborted and counted;
    after the test, the count must be 0 and no script may have failed."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 900}, accept_downloads=True)
    off = OffNetwork()
    context.route("**/*", off.route)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Session(page, off, site, errors)
    context.close()
    assert off.blocked == [], f"requests off loopback: {off.blocked}"
    assert errors == [], f"script errors: {errors}"

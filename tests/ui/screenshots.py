"""Screenshots of the pages for the README: `make screenshots` (writes docs/screenshots/).

Simulates a small dataset, runs the pipeline, serves the pages on loopback and photographs,
in Debian's Chromium with the network off, a planted F1 ticket's page, the auditors'
workbench, the at-risk list and a Data Docs validation page. Prints how many requests left
loopback (0).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from api.main import create_app
from api.security import Role, write_keys_file
from complaint_trace.settings import REPO_ROOT, get_settings
from tests.ui.browser import CHROMIUM, CHROMIUM_ARGS, OffNetwork, served

DATASET = ["--days", "3", "--tickets-per-day", "300", "--cells", "1000", "--seed", "7"]


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "complaint_trace.cli", *args], check=True,
                   stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        root = Path(tmp)
        _cli("simulate", "--out", str(root / "landing"), "--truth", str(root / "truth"),
             *DATASET)
        as_of = json.loads((root / "truth" / "meta.json").read_text())["as_of"]
        _cli("run", "--landing", str(root / "landing"), "--home", str(root / "home"),
             "--as-of", as_of)
        with (root / "truth" / "expected_findings.csv").open() as f:
            f1 = sorted(r["ticket_id"] for r in csv.DictReader(f) if r["rule_id"] == "F1")[0]
        settings = get_settings(home=root / "home")
        keys = write_keys_file(settings.api_keys_path, [(r.value, r) for r in Role])
        app = create_app(settings.model_copy(update={"api_keys": None}))
        with served(app) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                                          viewport={"width": 1280, "height": 900})
            off = OffNetwork()
            context.route("**/*", off.route)
            page = context.new_page()
            page.goto(f"{base}/ui/tickets/{f1}")
            page.fill("#key", keys["auditor"])
            page.click("form[action='/ui/login'] button[type=submit]")
            page.wait_for_load_state("networkidle")
            shots = {"ticket-page.png": f"/ui/tickets/{f1}", "audit-workbench.png": "/ui/audit",
                     "at-risk.png": "/ui/at-risk"}
            for name, path in shots.items():
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=args.out / name, full_page=True)
            # a rule's latest validation, as the workbench links it
            page.goto(base + "/ui/audit")
            page.locator("#by-rule a[href*='/ui/data-docs/validations/']").first.click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=args.out / "data-docs-validation.png")  # GX pins its nav
            browser.close()
    print(f"wrote {', '.join(sorted(p.name for p in args.out.glob('*.png')))} to {args.out}; "
          f"requests off loopback: {len(off.blocked)}")
    if off.blocked:
        sys.exit(f"pages asked for: {off.blocked}")


if __name__ == "__main__":
    main()

"""schemathesis with every check (`--checks all`) against the real server (uvicorn, loopback)
over the pipeline's published snapshot, once with an admin key and once with a handler's:
no server error, no response outside the OpenAPI schema. Its configuration and the one
exception it carries (opaque cursors) are in `schemathesis.toml`."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(pipeline_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("fuzz_home")
    (home / "snapshots").symlink_to(pipeline_home.home / "snapshots")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "complaint_trace.cli", "serve", "--home", str(home),
         "--port", str(port), "--init-keys"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    keys, url = {}, f"http://127.0.0.1:{port}"
    try:
        while len(keys) < 3:
            line = server.stdout.readline()
            assert line, "the server stopped before printing its keys"
            if found := re.match(r"\s+(handler|auditor|admin)\s+X-API-Key: (\S+)", line):
                keys[found[1]] = found[2]
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/health", timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.2)
        yield url, keys
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("role", ["admin", "handler"])
def test_schemathesis_finds_no_server_error_and_no_schema_violation(served, role) -> None:
    url, keys = served
    result = subprocess.run(
        [str(SCHEMATHESIS), "--config-file", str(ROOT / "schemathesis.toml"), "run",
         f"{url}/openapi.json", "--checks", "all", "--header", f"X-API-Key: {keys[role]}",
         "--max-examples", "40", "--seed", "20261201", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-6000:]
    assert re.search(r"(\d+) generated, \1 passed", result.stdout), result.stdout[-3000:]

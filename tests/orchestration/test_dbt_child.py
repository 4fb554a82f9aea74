"""`complaint-trace-dbt --version` answers from package metadata, without starting dbt: the
version dagster-dbt reads from it is dbt-core's own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
# dagster_dbt.core.resource.DbtCliResource._cli_version: the first x.y.z of the output
VERSION = re.compile(r"(\d+\.\d+\.\d+)")


def _version(executable: str) -> str:
    output = subprocess.run([str(BIN / executable), "--version"], check=True,
                            capture_output=True, text=True, timeout=120).stdout
    return VERSION.search(output).group(1)


def test_the_version_answer_is_the_one_dbt_itself_gives():
    assert _version("complaint-trace-dbt") == _version("dbt")

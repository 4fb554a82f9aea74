"""`complaint-trace-dbt`: dbt's own CLI, in a process that dies with the run that started it.

Dagster starts dbt as a child process; when a run is killed (SIGKILL, a crash), that child
would go on writing to the warehouse for seconds after, racing the retry for DuckDB's file
lock. On Linux the child asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG).

`--version` is answered from the installed packages' metadata: dagster-dbt asks it before
every run, and dbt's own answer imports all of dbt and asks PyPI for the latest release
(~3 s here; on a machine without network, until the request times out)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from importlib.metadata import version

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _print_version() -> None:
    print(f"Core:\n  - installed: {version('dbt-core')}\n\n"
          f"Plugins:\n  - duckdb: {version('dbt-duckdb')}")


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        _print_version()
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the child may outlive a killed run
        pass
    if os.getppid() == 1:  # the parent died before the request took effect
        sys.exit(1)
    from dbt.cli.main import cli

    cli()


if __name__ == "__main__":
    main()

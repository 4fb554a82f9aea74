"""`complaint-trace-dbt`: dbt's own CLI, in a process that dies with the run that started it.

Dagster starts dbt as a child process; when a run is killed (SIGKILL, a crash), that child
would go on writing to the warehouse for seconds after, racing the retry for DuckDB's file
lock. On Linux the child asks the kernel to kill it when its parent dies (PR_SET_PDEATHSIG)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def main() -> None:
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

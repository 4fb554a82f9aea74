"""A run's CPU priority: below the API's, so that lookups stay fast while a run builds.

A run's dbt build and publish use every core for tens of seconds at a time, and the API
serving handlers runs on the same machine; the kernel's scheduler gives the CPU to the
process with the lower niceness first, so the batch work takes what the lookups leave.
"""

from __future__ import annotations

import os


def lower_cpu_priority(niceness: int) -> int:
    """Raise this process's niceness to `niceness` (never lower it: that needs privileges),
    for it and the processes it starts. Returns the niceness now in force."""
    current = os.nice(0)
    if niceness > current:
        current = os.nice(niceness - current)
    return current

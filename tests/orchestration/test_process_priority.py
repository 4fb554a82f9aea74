"""A run's steps run at a lower CPU priority than the API (Settings.pipeline_niceness), and
the processes they start (dbt) inherit it. Each case runs in a child process: niceness
cannot be lowered again, and the test process must keep its own."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def _child(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, check=True, timeout=120)
    return done.stdout.strip()


def test_a_step_runs_at_the_configured_niceness_and_its_subprocesses_inherit_it(tmp_path):
    start = os.nice(0)
    out = _child(f"""
        import os, subprocess, sys
        import dagster as dg
        from orchestration.resources import PipelineConfig

        @dg.asset(required_resource_keys={{"pipeline"}})
        def probe(context) -> None:
            child = subprocess.run([sys.executable, "-c", "import os; print(os.nice(0))"],
                                   capture_output=True, text=True, check=True).stdout.strip()
            print(os.nice(0), child)

        dg.materialize([probe], resources={{"pipeline": PipelineConfig(
            home={str(tmp_path)!r}, landing={str(tmp_path)!r},
            pipeline_niceness={start + 7})}})
    """)
    assert out.splitlines()[-1] == f"{start + 7} {start + 7}"


def test_a_niceness_at_or_below_the_current_one_changes_nothing():
    start = os.nice(0)
    out = _child(f"""
        import os
        from complaint_trace.process_priority import lower_cpu_priority
        print(lower_cpu_priority({start}), lower_cpu_priority({start + 1}),
              lower_cpu_priority({start}), os.nice(0))
    """)
    assert out == f"{start} {start + 1} {start + 1} {start + 1}"

"""The `complaint-trace` console script. Each subcommand lives in `commands/<name>.py`."""

from __future__ import annotations

import typer

from complaint_trace.commands import calendar, findings, quarantine, run, serve, simulate, trace

app = typer.Typer(
    name="complaint-trace",
    help="Complaint traceability: simulate feeds, run the pipeline, audit, serve traces.",
    no_args_is_help=True,
    add_completion=False,
)

for module in (simulate, run, quarantine, findings, trace, serve, calendar):
    app.command(name=module.NAME, help=module.__doc__)(module.command)


if __name__ == "__main__":  # pragma: no cover
    app()

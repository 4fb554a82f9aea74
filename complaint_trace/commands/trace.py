"""(not built yet)"""

from __future__ import annotations

import typer

NAME = "trace"


def command() -> None:
    typer.echo("complaint-trace trace: not built yet", err=True)
    raise typer.Exit(code=2)

"""(not built yet)"""

from __future__ import annotations

import typer

NAME = "simulate"


def command() -> None:
    typer.echo("complaint-trace simulate: not built yet", err=True)
    raise typer.Exit(code=2)

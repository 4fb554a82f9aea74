"""(not built yet)"""

from __future__ import annotations

import typer

NAME = "run"


def command() -> None:
    typer.echo("complaint-trace run: not built yet", err=True)
    raise typer.Exit(code=2)

"""(not built yet)"""

from __future__ import annotations

import typer

NAME = "serve"


def command() -> None:
    typer.echo("complaint-trace serve: not built yet", err=True)
    raise typer.Exit(code=2)

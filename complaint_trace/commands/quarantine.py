"""(not built yet)"""

from __future__ import annotations

import typer

NAME = "quarantine"


def command() -> None:
    typer.echo("complaint-trace quarantine: not built yet", err=True)
    raise typer.Exit(code=2)

"""(not built yet)"""

from __future__ import annotations

import typer

NAME = "findings"


def command() -> None:
    typer.echo("complaint-trace findings: not built yet", err=True)
    raise typer.Exit(code=2)

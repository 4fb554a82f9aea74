"""Print the whole trace of one ticket as JSON: the same document `GET
/tickets/{id}/trace` returns, read from the latest published snapshot."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from complaint_trace.settings import get_settings

NAME = "trace"


def command(
    ticket_id: Annotated[str, typer.Argument(help="the ticket number")],
    home: Annotated[Path | None, typer.Option(help="home directory (snapshots)")] = None,
    reveal_pii: Annotated[bool, typer.Option(
        "--reveal-pii", help="show MSISDN and customer name (the admin view)")] = False,
) -> None:
    from api.reader import NoSnapshotError, SnapshotReader
    from api.schemas import TICKET_ID_PATTERN
    from api.trace import trace_json

    if not re.fullmatch(TICKET_ID_PATTERN, ticket_id):
        typer.echo(f"malformed ticket id {ticket_id!r} (pattern {TICKET_ID_PATTERN})", err=True)
        raise typer.Exit(code=2)
    settings = get_settings(home=home)
    try:
        snapshot = SnapshotReader(settings.snapshots_dir).get()
    except NoSnapshotError as exc:
        typer.echo(f"no serving snapshot in {settings.snapshots_dir}: {exc}", err=True)
        raise typer.Exit(code=3) from exc
    text = trace_json(snapshot, ticket_id, sees_pii=reveal_pii)
    if text is None:
        typer.echo(f"Ticket not found: {ticket_id}", err=True)
        raise typer.Exit(code=1)
    typer.echo(json.dumps(json.loads(text), indent=2, ensure_ascii=False))

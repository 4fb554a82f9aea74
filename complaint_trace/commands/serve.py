"""Serve the trace API under uvicorn, over the latest published snapshot (picks up new ones
without a restart). First start without keys writes a keys file and prints one key per role."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from complaint_trace.settings import get_settings

NAME = "serve"

DEMO_KEYS = [("handler", "handler"), ("auditor", "auditor"), ("admin", "admin")]


def _init_keys(path: Path) -> None:
    from api.security import Role, write_keys_file

    plain = write_keys_file(path, [(name, Role(role)) for name, role in DEMO_KEYS])
    typer.echo(f"wrote API keys to {path} (only their SHA-256 is stored; copy them now):")
    for name, key in plain.items():
        typer.echo(f"  {name:8} X-API-Key: {key}")


def command(
    home: Annotated[Path | None, typer.Option(help="home directory (snapshots, keys)")] = None,
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    init_keys: Annotated[bool, typer.Option(
        "--init-keys", help="write a fresh keys file (one key per role), print the keys")] = False,
) -> None:
    import uvicorn

    settings = get_settings(home=home)
    keys_path = settings.api_keys_path
    if init_keys or (not settings.api_keys and not keys_path.exists()):
        _init_keys(keys_path)
    # Workers build the app from the environment (`api.main:app`): hand the home down that way.
    os.environ["COMPLAINT_TRACE_HOME"] = str(settings.home_dir)
    typer.echo(f"serving snapshots of {settings.snapshots_dir} on http://{host}:{port}/docs")
    uvicorn.run("api.main:app", host=host, port=port, workers=workers, log_level="warning")

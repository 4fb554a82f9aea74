"""`complaint-trace trace` prints the endpoint's JSON; `serve --init-keys` writes usable keys."""

from __future__ import annotations

import json

from api_warehouse import F1_TICKET
from typer.testing import CliRunner

from api.security import KeyStore
from complaint_trace.cli import app


def _trace(home, *args):
    return CliRunner().invoke(app, ["trace", *args, "--home", str(home)])


def test_trace_cli_prints_the_same_json_as_the_endpoint(client, api_home):
    home = api_home.settings.home_dir
    masked = _trace(home, F1_TICKET)
    assert masked.exit_code == 0, masked.output
    endpoint = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("handler"))
    assert json.loads(masked.stdout) == endpoint.json()
    revealed = _trace(home, F1_TICKET, "--reveal-pii")
    admin = client.get(f"/tickets/{F1_TICKET}/trace", headers=api_home.headers("admin"))
    assert json.loads(revealed.stdout) == admin.json()


def test_trace_cli_unknown_and_malformed_ids_fail_with_a_message(api_home):
    home = api_home.settings.home_dir
    unknown = _trace(home, "TT9999")
    assert unknown.exit_code == 1 and "not found" in unknown.stderr
    malformed = _trace(home, "bad id!")
    assert malformed.exit_code == 2 and "malformed" in malformed.stderr


def test_init_keys_prints_one_working_key_per_role(tmp_path, capsys):
    from complaint_trace.commands import serve

    path = tmp_path / "keys.json"
    serve._init_keys(path)
    printed = [line.split() for line in capsys.readouterr().out.splitlines() if "X-API-Key" in line]
    store = KeyStore(path)
    assert {name: store.authenticate(key).role.value for name, _, key in printed} == {
        "handler": "handler", "auditor": "auditor", "admin": "admin"}
    assert store.authenticate("ctk_wrong") is None

"""The same arguments give byte-identical files; re-running needs an explicit overwrite."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from complaint_trace.cli import app
from complaint_trace.simulator import SimConfig, simulate

TINY = {"days": 2, "tickets_per_day": 60, "cells": 150, "planted_rate": 0.5}


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != "meta.json"}


def _run(root: Path, seed: int, overwrite: bool = False) -> None:
    simulate(SimConfig(out=root / "landing", truth=root / "truth", seed=seed, **TINY),
             overwrite=overwrite)


def test_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    _run(tmp_path / "a", 3)
    _run(tmp_path / "b", 3)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert len(first) > 20 and first == second
    meta_a = json.loads((tmp_path / "a/truth/meta.json").read_text())
    meta_b = json.loads((tmp_path / "b/truth/meta.json").read_text())
    assert {k: v for k, v in meta_a.items() if k not in ("out", "truth")} == {
        k: v for k, v in meta_b.items() if k not in ("out", "truth")}


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    _run(tmp_path / "a", 3)
    _run(tmp_path / "b", 4)
    first, second = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert first["truth/scenarios.csv"] != second["truth/scenarios.csv"]


def test_rerun_refuses_to_mix_and_overwrite_reproduces(tmp_path: Path) -> None:
    _run(tmp_path, 3)
    before = _digests(tmp_path)
    with pytest.raises(FileExistsError):
        _run(tmp_path, 3)
    _run(tmp_path, 3, overwrite=True)
    assert _digests(tmp_path) == before


def test_truth_inside_the_landing_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside the landing root"):
        simulate(SimConfig(out=tmp_path, truth=tmp_path / "truth", **TINY))


def test_cli_writes_truth_beside_the_landing_root_and_prints_as_of(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path / "landing"), "--days", "1",
            "--tickets-per-day", "40", "--cells", "100", "--start", "2026-05-04"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"truth:        {tmp_path / 'truth'}" in result.output
    assert "as_of (UTC):  2026-05-04 16:00:00" in result.output
    meta = json.loads((tmp_path / "truth/meta.json").read_text())
    assert meta["start"] == "2026-05-04" and meta["as_of"] == "2026-05-04 16:00:00"
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 1 and "overwrite" in again.output

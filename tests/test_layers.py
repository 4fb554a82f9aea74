"""The serving layer's structure (docs/architecture.md): the publisher (`serving/`) imports no
web or orchestration framework, and the API (`api/`) shares nothing with it but the store's
layout, so `api/` only reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def imported_modules(package: str) -> dict[str, set[str]]:
    """Per Python file of `package`, the absolute modules it imports."""
    found = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(REPO))] = names
    return found


def test_the_publisher_imports_no_web_or_orchestration_framework():
    offending = {file: sorted(n for n in names
                              if n.split(".")[0] in {"fastapi", "starlette", "dagster", "api",
                                                     "orchestration", "uvicorn"})
                 for file, names in imported_modules("serving").items()}
    assert {f: n for f, n in offending.items() if n} == {}


def test_the_api_reads_the_publisher_only_through_the_layout():
    offending = {file: sorted(n for n in names
                              if n.split(".")[0] == "serving" and n != "serving.layout")
                 for file, names in imported_modules("api").items()}
    assert {f: n for f, n in offending.items() if n} == {}


@pytest.mark.parametrize("package", ["api", "serving", "quality_checks", "connectors"])
def test_no_layer_below_orchestration_imports_dagster(package):
    offending = {file: sorted(n for n in names if n.split(".")[0] in {"dagster", "dagster_dbt"})
                 for file, names in imported_modules(package).items()}
    assert {f: n for f, n in offending.items() if n} == {}

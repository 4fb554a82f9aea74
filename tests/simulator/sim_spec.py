"""The product spec's tables, parsed from the markdown itself (never a copy of it).

`contract()` reads `shared/spec/data-contract.md`; `sla_policy()` and `kpi_thresholds()` read
`shared/spec/audit-rules.md`. Tests compare code and simulated data against these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from complaint_trace.settings import REPO_ROOT

SHARED_SPEC_DIR = Path(REPO_ROOT).parent / "shared" / "spec"
VENDORED_SPEC_DIR = Path(REPO_ROOT) / "docs" / "spec"
# The team's spec lives beside the repo; a clone elsewhere (CI) reads the committed copy,
# which `test_vendored_spec_is_the_shared_spec` keeps identical.
SPEC_DIR = SHARED_SPEC_DIR if SHARED_SPEC_DIR.is_dir() else VENDORED_SPEC_DIR
HEADING = re.compile(r"^### `(?P<path>[a-z_]+/[a-z_]+)` — .*\(key: (?P<key>[^)]*)\)")
BACKTICKED = re.compile(r"`([^`]+)`")
RANGE = re.compile(r"(?P<lo>-?\d+(?:\.\d+)?)\s*[–-]\s*(?P<hi>\d+(?:\.\d+)?)")
CONDITIONAL = re.compile(r"^required on `[^`]+`:")
AT_LEAST = re.compile(r"≥\s*(?P<lo>-?\d+(?:\.\d+)?)")


@dataclass
class SpecColumn:
    name: str
    type: str
    notes: str
    required: bool = False
    conditional: str = ""  # e.g. closure_code: "required on `resolved`"
    values: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None


@dataclass
class SpecEntity:
    path: str
    key: tuple[str, ...]
    columns: list[SpecColumn] = field(default_factory=list)

    def column(self, name: str) -> SpecColumn:
        return next(c for c in self.columns if c.name == name)


def _rows(lines: list[str]) -> list[list[str]]:
    """Body rows of a markdown table (header and separator dropped)."""
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines]
    return [row for row in cells[2:] if row]


def _enum(notes: str, entities: dict[str, SpecEntity], name: str) -> tuple[str, ...]:
    values = tuple(BACKTICKED.findall(notes))
    if notes.startswith("as in contacts"):  # tickets.channel: "as in contacts, plus `regulator`"
        values = entities["crm/contacts"].column(name).values + values
    return values


def _range(notes: str) -> tuple[float | None, float | None]:
    if m := RANGE.search(notes):
        return float(m["lo"]), float(m["hi"])
    if m := AT_LEAST.search(notes):
        return float(m["lo"]), None
    return None, None


def contract(text: str | None = None) -> dict[str, SpecEntity]:
    """Entity path -> its columns, in the spec's order, with enums, requiredness and ranges."""
    text = text if text is not None else (SPEC_DIR / "data-contract.md").read_text("utf-8")
    entities: dict[str, SpecEntity] = {}
    current: SpecEntity | None = None
    table: list[str] = []

    def flush() -> None:
        if current is None or not table:
            return
        for name_cell, type_, notes in _rows(table):
            for name in (n.strip() for n in name_cell.split(",")):
                col = SpecColumn(name, type_, notes)
                if m := CONDITIONAL.match(notes):
                    col.conditional, notes = m[0].rstrip(":"), notes[m.end():].strip()
                else:
                    col.required = notes.startswith("required")
                if type_ == "enum":
                    col.values = _enum(notes, entities, name)
                if type_ in ("double", "integer", "bigint"):
                    col.min, col.max = _range(notes)
                current.columns.append(col)
        table.clear()

    for line in text.splitlines():
        if m := HEADING.match(line):
            flush()
            current = SpecEntity(m["path"], tuple(BACKTICKED.findall(m["key"])))
            entities[current.path] = current
        elif line.startswith("#"):
            flush()
            current = None
        elif current is not None and line.startswith("|"):
            table.append(line)
        elif table:
            flush()
    flush()
    return entities


def _audit_text() -> str:
    return (SPEC_DIR / "audit-rules.md").read_text("utf-8")


def _section_table(text: str, header_start: str) -> list[list[str]]:
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    block = []
    for line in lines[first:]:
        if not line.startswith("|"):
            break
        block.append(line)
    return _rows(block)


def sla_policy() -> dict[tuple[str, str], tuple[int, int]]:
    """(priority, tier) -> (first-contact minutes, resolution hours), audit-rules §2."""
    text = _audit_text()
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("| priority |"))
    tiers = [c.strip() for c in header.strip().strip("|").split("|")][1:]
    out = {}
    for row in _section_table(text, "| priority |"):
        for tier, cell in zip(tiers, row[1:], strict=True):
            minutes, hours = (int(x) for x in cell.split("/"))
            out[(row[0], tier)] = (minutes, hours)
    return out


def kpi_thresholds() -> dict[str, tuple[str, float, float]]:
    """KPI -> (comparator, 4G threshold, 5G threshold), audit-rules §4."""
    out = {}
    for kpi, g4, g5 in _section_table(_audit_text(), "| KPI |"):
        comparator, v4 = g4.split()
        out[kpi] = (comparator, float(v4), float(g5.split()[1]))
    return out


STEP_DEFAULT = re.compile(r"`(?P<rule>O\d+) (?P<name>\w+)` `(?P<start>\w+)` → `(?P<end>\w+)`, "
                          r"(?P<minutes>\d+) min \(urgent (?P<urgent>\d+)\)")


def step_rules() -> dict[str, tuple[str, str, int, int]]:
    """Step rule -> (from action, to action, minutes, urgent minutes), audit-rules §10's
    defaults."""
    text = " ".join(_audit_text().split())  # the defaults sentence wraps across lines
    return {m["rule"]: (m["start"], m["end"], int(m["minutes"]), int(m["urgent"]))
            for m in STEP_DEFAULT.finditer(text)}

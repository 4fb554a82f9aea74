"""One SQL statement that types and checks every staged row against the contract.

From `_ct_stage` (all VARCHAR) it builds `_ct_validated`: the contract's typed columns,
`_source_row`, and `reason` (every failing check, joined by '; '; null when the row is valid).
The raw record of a failing row is rebuilt from the stage by the loader, only for those rows.
"""

from __future__ import annotations

import duckdb

from complaint_trace.contract import Column, Entity
from connectors.readers import STAGE, StagedFile, literal
from connectors.rules import COLUMN_RULES, ROW_RULES
from connectors.schema import SQL_TYPES, quote

VALIDATED = "_ct_validated"
# The contract's timestamps are ISO 8601 (date, optional time with optional fraction, optional
# `Z`/offset). DuckDB's own parser is laxer (it takes `24:00:00` as the next midnight, and zone
# names), so a value must match this before DuckDB reads it.
# Surrounding blanks are allowed by the patterns (and ignored by DuckDB's casts) rather than
# trimmed: trim() on every value costs more than the cast itself.
ISO_8601 = (r"\s*\d{4}-\d{2}-\d{2}([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?"
            r"(Z|[+-]\d{2}(:?\d{2})?)?)?\s*")
# DuckDB's casts also take `0x10`, `1_000` and round `3.7` into an INTEGER; numbers in a feed
# must be plain decimals (an integer may carry a zero fraction: `1200.0` from a float writer).
NUMBER_TEXT = {
    "double": r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*",
    "integer": r"\s*[+-]?\d+(\.0*)?\s*",
    "bigint": r"\s*[+-]?\d+(\.0*)?\s*",
}


def _typed(column: Column, text: str) -> str:
    """SQL giving the typed value of `text` (a VARCHAR expression), null when it does not parse."""
    if column.type in ("string", "enum"):
        return text
    if column.type == "timestamp":
        # The session TimeZone is the source zone: offsets are honoured, naive values read in
        # the source zone; timezone('UTC', ...) turns the instant into naive UTC.
        return (f"case when regexp_full_match({text}, {literal(ISO_8601)}) "
                f"then timezone('UTC', try_cast({text} as timestamptz)) end")
    if column.type == "boolean":
        return (
            f"case lower(trim({text})) when 'true' then true when '1' then true "
            f"when 'false' then false when '0' then false end"
        )
    return (f"case when regexp_full_match({text}, {literal(NUMBER_TEXT[column.type])}) "
            f"then try_cast({text} as {SQL_TYPES[column.type]}) end")


def _checks(column: Column, text: str, typed: str) -> list[str]:
    """SQL expressions giving a reason when the value breaks the contract, else null."""
    name = column.name
    shown = f"left({text}, 60)"
    checks = []
    if column.required:
        checks.append(f"case when {text} is null or trim({text}) = '' "
                      f"then {literal(name + ': missing (required)')} end")
    checks.append(f"case when {text} is not null and {typed} is null then "
                  f"{literal(f'{name}: not a valid {column.type}: ')} || {shown} end")
    if column.values:
        allowed = ", ".join(literal(v) for v in column.values)
        checks.append(f"case when {text} not in ({allowed}) then "
                      f"{literal(f'{name}: not one of {list(column.values)}: ')} || {shown} end")
    bounds = []
    if column.type == "double":
        bounds.append(f"not isfinite({typed})")
    if column.min is not None:
        bounds.append(f"{typed} < {column.min}")
    if column.max is not None:
        bounds.append(f"{typed} > {column.max}")
    if bounds:
        limits = f"[{column.min if column.min is not None else ''}, " \
                 f"{column.max if column.max is not None else ''}]"
        checks.append(f"case when {' or '.join(bounds)} then "
                      f"{literal(f'{name}: out of range {limits}: ')} || {shown} end")
    if name in COLUMN_RULES:
        condition, reason = COLUMN_RULES[name]
        checks.append(f"case when {typed} is not null and not ({condition.format(c=typed)}) "
                      f"then {literal(reason)} end")
    return checks


def validate_staged(con: duckdb.DuckDBPyConnection, entity: Entity, staged: StagedFile) -> None:
    """Create `_ct_validated` from `_ct_stage`. The caller sets the session TimeZone.

    Three layers, so each cast and pattern match runs once per value: the text of every
    contract column (`__t_<name>`), its typed value (`<name>`), then the checks over both.
    """
    names = [c.name for c in entity.columns]
    text_of = {n: quote(f"__t_{n}") for n in names}
    texts = ", ".join(
        (f"nullif(s.{src}, '')" if (src := staged.stage_column(n)) else "cast(null as varchar)")
        + f" as {text_of[n]}" for n in names)
    typed = ", ".join(f"{_typed(c, text_of[c.name])} as {quote(c.name)}" for c in entity.columns)
    checks = [chk for c in entity.columns for chk in _checks(c, text_of[c.name], quote(c.name))]
    checks += [f"case when {cond} then {literal(reason)} end"
               for cond, reason in ROW_RULES.get(entity.path, [])]
    con.execute(f"drop table if exists {VALIDATED}")
    con.execute(
        f"create temp table {VALIDATED} as "
        f"with texts as (select s._source_row, {texts} from {STAGE} as s), "
        f"typed as (select *, {typed} from texts) "
        f"select _source_row, {', '.join(quote(n) for n in names)}, "
        f"nullif(concat_ws('; ', {', '.join(checks)}), '') as reason from typed"
    )

"""Read a landing root with plain DuckDB readers and check each row against the spec.

Independent of the simulator's code: types, enumerations and ranges come from the spec
markdown (`sim_spec.contract()`), timestamps are parsed with pandas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from tests.simulator.sim_spec import SpecEntity, contract

READERS = {".csv": "read_csv({p}, all_varchar = true)",
           ".csv.gz": "read_csv({p}, all_varchar = true)",
           ".jsonl": "read_json({p}, format = 'newline_delimited')",
           ".jsonl.gz": "read_json({p}, format = 'newline_delimited')",
           ".parquet": "read_parquet({p})"}
NAME = re.compile(r"^\d{4}-\d{2}-\d{2}(-\d+)?\.(csv|csv\.gz|jsonl|jsonl\.gz|parquet)$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?$")
TRUE, FALSE = {"true", "True", "1"}, {"false", "False", "0"}


def suffix(path: Path) -> str:
    return next(s for s in sorted(READERS, key=len, reverse=True) if path.name.endswith(s))


def read_file(path: Path) -> pd.DataFrame:
    """One landing file as DataFrame, `_row` = 1-based data row (record order of the file)."""
    con = duckdb.connect()
    sql = READERS[suffix(path)].format(p="'" + str(path).replace("'", "''") + "'")
    frame = con.execute(f"select * from {sql}").df()
    frame["_row"] = np.arange(1, len(frame) + 1)
    return frame


def parse_timestamps(values: pd.Series, zone: str) -> pd.Series:
    """UTC-naive datetimes; naive text is local time in `zone`; unparsable -> NaT."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(values.dtype):  # a reader typed naive text: local time
        return values.dt.tz_localize(zone).dt.tz_convert("UTC").dt.tz_localize(None)
    text = values.astype("string")
    shaped = text.str.match(ISO.pattern).fillna(False).astype(bool)
    aware = shaped & (text.str.endswith("Z") | text.str.match(r".*[+-]\d{2}:\d{2}$")).fillna(False)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if aware.any():
        out[aware] = pd.to_datetime(text[aware], format="ISO8601", utc=True,
                                    errors="coerce").dt.tz_localize(None)
    naive = shaped & ~aware
    if naive.any():
        local = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        out[naive] = local.dt.tz_localize(zone).dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.astype("string"), errors="coerce")


def _boolean(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = values.astype("string")
    ok = text.isna() | text.isin(TRUE | FALSE)
    return text.isin(TRUE).where(text.notna()), ~ok


@dataclass
class Checked:
    rows: pd.DataFrame  # typed values of the rows that keep the contract
    broken: pd.DataFrame  # _file, _row, reason of the rows that break it


def check(frame: pd.DataFrame, spec: SpecEntity, zone: str) -> Checked:
    """Type every column as the spec says; a row breaking any rule is reported with why."""
    typed = pd.DataFrame({"_file": frame["_file"], "_row": frame["_row"]})
    reasons = pd.Series("", index=frame.index)

    def flag(mask: pd.Series, why: str) -> None:
        reasons[mask.fillna(False).astype(bool) & (reasons == "")] = why

    for col in spec.columns:
        raw = frame[col.name]
        missing = raw.isna() | (raw.astype("string") == "")
        if col.required:
            flag(missing, f"missing {col.name}")
        if col.type == "timestamp":
            value = parse_timestamps(raw, zone)
            flag(~missing & value.isna(), f"unparsable {col.name}")
        elif col.type in ("double", "integer", "bigint"):
            value = _number(raw)
            flag(~missing & value.isna(), f"bad type {col.name}")
            if col.min is not None:
                flag(value < col.min, f"{col.name} below {col.min}")
            if col.max is not None:
                flag(value > col.max, f"{col.name} above {col.max}")
        elif col.type == "boolean":
            value, bad = _boolean(raw)
            flag(bad, f"bad type {col.name}")
        else:
            value = raw.astype("string").where(~missing)
            if col.values:
                flag(~missing & ~value.isin(col.values), f"bad enum {col.name}")
        if col.name == "msisdn":
            flag(~missing & ~value.str.fullmatch(r"\d{11}").fillna(False), "msisdn not digits")
        typed[col.name] = value
    if "cleared_at" in typed:
        flag(typed["cleared_at"] < typed["raised_at"], "cleared before raised")
    if "closure_code" in typed:
        flag((typed["action"] == "resolved") & typed["closure_code"].isna(),
             "resolved without closure code")
    bad = reasons != ""
    broken = typed.loc[bad, ["_file", "_row"]].assign(reason=reasons[bad])
    return Checked(typed.loc[~bad].reset_index(drop=True), broken.reset_index(drop=True))


def load(landing: Path, zone: str) -> dict[str, Checked]:
    """Every entity of the landing root, checked file by file (each file has its own types)."""
    out = {}
    for path, spec in contract().items():
        checked = []
        for file in sorted((landing / path).iterdir()):
            frame = read_file(file)
            frame.insert(0, "_file", file.relative_to(landing).as_posix())
            checked.append(check(frame, spec, zone))
        out[path] = Checked(pd.concat([c.rows for c in checked], ignore_index=True),
                            pd.concat([c.broken for c in checked], ignore_index=True))
    return out

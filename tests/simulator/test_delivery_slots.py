"""`delivery_minutes` below a day cuts the same world into delivery slots (docs/simulator.md,
"Delivery slots"): ticketing and CRM every N minutes, network hourly.

Expected slots are worked out here from the file names and the rows' own timestamps (as the
project's loader stores them: UTC) with pandas and zoneinfo; the daily landing of the same seed
is the reference for rows, bad rows and truth (its bytes are pinned by
test_delivery_daily_unchanged.py).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from complaint_trace.contract import ENTITIES
from complaint_trace.delivery import slot_of
from complaint_trace.simulator import SimConfig, delivery_batches, simulate
from connectors import load_entity
from tests.simulator.sim_landing import parse_timestamps, read_file

ZONE = "Asia/Shanghai"
START = date(2026, 3, 2)
# many late tickets, so late events fall on both days (the last day has no next day)
SMALL = {"days": 2, "tickets_per_day": 30, "cells": 80, "planted_rate": 0.5, "seed": 3,
         "late_event_rate": 0.25, "source_tz": ZONE, "start": START}
SLOT_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(\d{2})(\d{2})(-\d)?\.(csv|jsonl|parquet)(\.gz)?$")
# the timestamp that says when a ticketing or CRM row happened (data contract)
OWN_TIME = {"crm/customers": "updated_at", "crm/contacts": "contact_at",
            "ticketing/tickets": "created_at", "ticketing/ticket_events": "event_at",
            "ticketing/surveys": "surveyed_at"}
LINEAGE = ("_file", "_source_row", "_loaded_at", "_run_id")


@dataclass
class Landing:
    root: Path
    truth: Path
    meta: dict
    start: pd.Timestamp  # UTC-naive, like the loaded rows
    as_of: pd.Timestamp


@dataclass
class Loaded:
    rows: dict[str, pd.DataFrame]  # raw table per entity; `_file` = the landing file
    quarantine: pd.DataFrame  # entity, file, row_number, reason


def _simulate(root: Path, minutes: int, **overrides) -> Landing:
    config = SimConfig(out=root / "landing", truth=root / "truth",
                       **{**SMALL, **overrides, "delivery_minutes": minutes})
    simulate(config)
    meta = json.loads((root / "truth/meta.json").read_text())
    local_start = datetime.combine(config.start, datetime.min.time(), ZoneInfo(config.source_tz))
    start = pd.Timestamp(local_start.astimezone(UTC).replace(tzinfo=None))
    return Landing(root / "landing", root / "truth", meta, start, pd.Timestamp(meta["as_of"]))


@pytest.fixture(scope="module")
def daily(tmp_path_factory) -> Landing:
    return _simulate(tmp_path_factory.mktemp("daily"), 1440)


@pytest.fixture(scope="module")
def quarter(tmp_path_factory) -> Landing:
    return _simulate(tmp_path_factory.mktemp("quarter"), 15)


def _load(landing: Path, zone: str = ZONE) -> Loaded:
    """A landing root through the project's loader (connectors), into an in-memory DuckDB."""
    con = duckdb.connect()
    for ent in ENTITIES:
        load_entity(con, landing, ent, zone, "test")
    rows = {ent.path: con.execute(f"select * from raw_{ent.source}.{ent.name}").df().rename(
        columns={"_source_file": "_file"}) for ent in ENTITIES}
    quarantine = con.execute("select entity, file, row_number, reason "
                             "from raw_meta.quarantine").df()
    con.close()
    return Loaded(rows, quarantine)


@pytest.fixture(scope="module")
def daily_loaded(daily) -> Loaded:
    return _load(daily.root)


@pytest.fixture(scope="module")
def quarter_loaded(quarter) -> Loaded:
    return _load(quarter.root)


def _files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file())


def _file_slot(files: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(local date, slot start minute) of each row's file, from its name."""
    parts = files.str.rsplit("/", n=1).str[-1].str.extract(SLOT_NAME)
    return parts[0], parts[1].astype(int) * 60 + parts[2].astype(int)


def _local_slot(utc: pd.Series, zone: str, minutes: int) -> tuple[pd.Series, pd.Series]:
    """(local date, start minute of the `minutes` wall-clock slot) of UTC-naive times."""
    local = utc.dt.tz_localize("UTC").dt.tz_convert(zone)
    minute = local.dt.hour * 60 + local.dt.minute
    return local.dt.strftime("%Y-%m-%d"), minute // minutes * minutes


def _in_slot(files: pd.Series, utc: pd.Series, zone: str, minutes: int) -> pd.Series:
    file_day, file_minute = _file_slot(files)
    own_day, own_minute = _local_slot(utc, zone, minutes)
    return (file_day == own_day) & (file_minute == own_minute)


def _check_ticketing_and_crm(rows: dict[str, pd.DataFrame], landing: Landing, zone: str,
                             minutes: int) -> pd.DataFrame:
    """Every ticketing/CRM row lies in its file's slot, except history (before the span: the
    first slot; a late event of an earlier ticket: the second day's first) and late events
    (24 h later, or the span's last slot). Returns the late events after the start."""
    days = [(landing.start + pd.Timedelta(days=d)).tz_localize("UTC").tz_convert(zone)
            .strftime("%Y-%m-%d") for d in range(2)]
    last_day = (landing.as_of - pd.Timedelta(seconds=1)).tz_localize("UTC").tz_convert(zone)
    late = pd.DataFrame()
    for path, column in OWN_TIME.items():
        frame = rows[path]
        assert len(frame), path
        file_day, file_minute = _file_slot(frame["_file"])
        history = frame[column] < landing.start
        late_history = (file_day == days[1]) & (frame.get("action") != "created")
        assert ((file_minute == 0) & ((file_day == days[0]) | late_history))[history].all(), path
        out = frame[~_in_slot(frame["_file"], frame[column], zone, minutes) & ~history]
        if path != "ticketing/ticket_events":
            assert out.empty, (path, out.head())
            continue
        assert (out["action"] != "created").all()
        shifted = out["event_at"] + pd.Timedelta(hours=24)
        day, minute = _local_slot(shifted, zone, minutes)
        beyond = shifted >= landing.as_of
        day[beyond] = last_day.strftime("%Y-%m-%d")
        minute[beyond] = 1440 - minutes
        out_day, out_minute = _file_slot(out["_file"])
        assert (out_day == day).all() and (out_minute == minute).all()
        late = out.assign(beyond=beyond)
    return late


def test_fifteen_minute_files_are_named_and_filled_by_slot(daily, quarter, daily_loaded,
                                                           quarter_loaded) -> None:
    names = {p.relative_to(quarter.root).as_posix(): p.name for p in _files(quarter.root)}
    for rel, name in names.items():
        match = SLOT_NAME.match(name)
        assert match, rel
        hour, minute = int(match[2]), int(match[3])
        assert hour < 24 and minute % (60 if rel.startswith("netops/") else 15) == 0, rel
    assert [n for r, n in names.items() if r.startswith("netops/cells/")] == [
        "2026-03-02-0000.csv"]  # the inventory: one file, in the first network hour
    assert sum(r.startswith("ticketing/ticket_events/") for r in names) > 48  # not hourly
    rows = quarter_loaded.rows
    with_rows = {*quarter_loaded.quarantine["file"],
                 *(f for frame in rows.values() for f in frame["_file"])}
    assert with_rows == set(names)  # a slot without rows has no file

    late = _check_ticketing_and_crm(rows, quarter, ZONE, 15)
    # the daily mode's late events: in a later day's file than their own local date
    events = daily_loaded.rows["ticketing/ticket_events"]
    own_day, _ = _local_slot(events["event_at"], ZONE, 15)
    late_daily = set(events.loc[(events["_file"].str.rsplit("/", n=1).str[-1].str[:10] > own_day)
                                & (events["event_at"] >= daily.start), "event_id"])
    assert late_daily and late_daily == set(late.loc[~late["beyond"], "event_id"])
    assert late["beyond"].any()  # the last day's late events: in the span's last slot

    kpi = rows["netops/cell_kpi_hourly"]
    assert _in_slot(kpi["_file"], kpi["period_start"], ZONE, 60).all()
    alarms = rows["netops/alarms"]  # known when raised, or when cleared if it says so
    assert _in_slot(alarms["_file"], alarms["cleared_at"].fillna(alarms["raised_at"]), ZONE,
                    60).all()
    _check_sessions(rows["netops/user_cell_sessions"], rows["ticketing/tickets"], quarter.start)


def _check_sessions(sessions: pd.DataFrame, tickets: pd.DataFrame, start: pd.Timestamp) -> None:
    """A session is in its own hour's file; the complaint window before a ticket arrives in
    the hour the ticket was created (or the span's first hour for earlier tickets); hours after
    the ticket's day in that day's last hour file, as in the daily mode."""
    sessions = sessions.reset_index(drop=True).rename_axis("sid").reset_index()
    own = _in_slot(sessions["_file"], sessions["period_start"], ZONE, 60)
    file_day, file_minute = _file_slot(sessions["_file"])
    own_day, _ = _local_slot(sessions["period_start"], ZONE, 60)
    after_day = (own_day > file_day) & (file_minute == 23 * 60)
    created = tickets[["msisdn", "created_at"]].assign(
        created_at=tickets["created_at"].clip(lower=start))
    pairs = sessions.merge(created, on="msisdn")
    in_window = (pairs["period_start"] <= pairs["created_at"]) & _in_slot(
        pairs["_file"], pairs["created_at"], ZONE, 60)
    window = sessions["sid"].isin(pairs.loc[in_window, "sid"])
    assert (own | window | after_day).all()
    assert window[~own].any()  # the window really is delivered with the complaint


def _counted(loaded: Loaded) -> dict[str, Counter]:
    """Every raw table's rows as a multiset of text tuples, without the bookkeeping columns."""
    return {path: Counter(map(tuple, frame.drop(columns=list(LINEAGE)).astype(str).to_numpy()))
            for path, frame in loaded.rows.items()}


def test_fifteen_minute_files_hold_exactly_the_daily_rows_and_bad_rows(
        quarter, daily_loaded, quarter_loaded) -> None:
    daily_rows, daily_quarantine = _counted(daily_loaded), daily_loaded.quarantine
    quarter_rows, quarter_quarantine = _counted(quarter_loaded), quarter_loaded.quarantine
    assert {p: sum(c.values()) for p, c in quarter_rows.items()} == {
        p: sum(c.values()) for p, c in daily_rows.items()}
    for path, counted in daily_rows.items():
        assert quarter_rows[path] == counted, path
    by_reason = ["entity", "reason"]
    assert (quarter_quarantine.groupby(by_reason).size().to_dict()
            == daily_quarantine.groupby(by_reason).size().to_dict())
    assert set(quarter_quarantine["entity"]) == {e.path for e in ENTITIES}
    # the truth names the slot file and row of every bad row, as the loader quarantined them
    bad = pd.read_csv(quarter.truth / "bad_rows.csv")
    assert set(zip(bad["file"], bad["row_number"], strict=True)) == set(zip(
        quarter_quarantine["file"], quarter_quarantine["row_number"], strict=True))
    # a bad row travels with the real row it copies: where its own time is readable, it lies
    # in that time's slot like any row
    _check_ticketing_and_crm(_bad_rows(quarter.root, bad), quarter, ZONE, 15)


def _bad_rows(landing: Path, bad: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The ticketing/CRM bad rows the truth lists, read back with a readable own time."""
    out = {}
    for path, column in OWN_TIME.items():
        frames = []
        for file, listed in bad[bad["entity"] == path].groupby("file"):
            frame = read_file(landing / file)  # each file has its own types: parse it alone
            frame = frame[frame["_row"].isin(listed["row_number"])].assign(_file=file)
            frames.append(frame.assign(**{column: parse_timestamps(frame[column], ZONE)}))
        frame = pd.concat(frames, ignore_index=True)
        out[path] = frame[frame[column].notna()]
    return out


def test_truth_is_the_daily_truth(daily, quarter) -> None:
    def meta(landing: Landing) -> dict:
        return {k: v for k, v in landing.meta.items() if k not in ("out", "truth")}

    assert meta(quarter) == meta(daily)
    for name in ("expected_findings.csv", "scenarios.csv"):
        assert (quarter.truth / name).read_bytes() == (daily.truth / name).read_bytes()
    # the same bad rows; only their file (a slot of the same day) and row number differ
    bad_q, bad_d = (pd.read_csv(t.truth / "bad_rows.csv") for t in (quarter, daily))
    assert bad_q["file"].str.rsplit("/", n=1).str[-1].str.match(SLOT_NAME).all()

    def kinds(bad: pd.DataFrame) -> Counter:
        day = bad["file"].str.rsplit("/", n=1).str[-1].str[:10]
        return Counter(zip(bad["entity"], bad["kind"], day, strict=True))

    assert kinds(bad_q) == kinds(bad_d)


def _expected_end(path: Path, zone: str, minutes: int) -> datetime:
    """The end of a file's slot, worked out from its name: local date + hh:mm + slot length."""
    match = SLOT_NAME.match(path.name)
    length = 60 if path.parent.parent.name == "netops" else minutes
    local = datetime.fromisoformat(f"{match[1]}T{match[2]}:{match[3]}") + timedelta(
        minutes=length)
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_delivery_batches_replay_every_file_once_in_order(daily, quarter) -> None:
    batches = delivery_batches(quarter.root, 15, ZONE)
    ends = [b.end for b in batches]
    assert ends == sorted(set(ends))
    replayed = [f for b in batches for f in b.files]
    assert sorted(replayed) == _files(quarter.root) and len(set(replayed)) == len(replayed)
    for batch in batches:
        assert {_expected_end(f, ZONE, 15) for f in batch.files} == {batch.end}
    as_of = quarter.as_of.to_pydatetime().replace(tzinfo=UTC)
    assert ends[0] == datetime(2026, 3, 1, 16, 15, tzinfo=UTC) and ends[-1] == as_of

    days = delivery_batches(daily.root)  # one batch a day, ending at local midnight
    assert [b.end for b in days] == [datetime(2026, 3, 2, 16, tzinfo=UTC), as_of]
    assert sorted(f for b in days for f in b.files) == _files(daily.root)


def test_a_daylight_saving_zone_cuts_by_the_local_clock(tmp_path: Path) -> None:
    """Europe/London's 25-hour day (2026-10-25): slots follow the wall clock, the repeated
    hour's two passes share a slot, and no batch holds a ticketing/CRM row from after it."""
    zone = "Europe/London"
    landing = _simulate(tmp_path, 30, source_tz=zone, start=date(2026, 10, 24),
                        tickets_per_day=30, cells=60)
    rows = _load(landing.root, zone).rows
    late = set(_check_ticketing_and_crm(rows, landing, zone, 30)["event_id"])
    assert any("-0100" in p.name for p in (landing.root / "netops/cell_kpi_hourly").iterdir()
               if p.name.startswith("2026-10-25"))
    batches = delivery_batches(landing.root, 30, zone)
    assert [b.end for b in batches] == sorted({b.end for b in batches})
    end_of = {f.relative_to(landing.root).as_posix(): b.end.replace(tzinfo=None)
              for b in batches for f in b.files}
    for path, column in OWN_TIME.items():
        frame = rows[path]
        known = frame[column].copy()
        if "event_id" in frame:
            delayed = frame["event_id"].isin(late)
            known[delayed] += pd.Timedelta(hours=24)
        # the last day's late events come with the span's last slot
        known = known.clip(upper=landing.as_of - pd.Timedelta(seconds=1))
        assert (known < frame["_file"].map(end_of)).all(), path


@pytest.mark.parametrize("minutes", [30, 60])
def test_coarser_slots_keep_rows_and_truth(tmp_path: Path, daily, minutes: int) -> None:
    landing = _simulate(tmp_path, minutes)
    for path in _files(landing.root):
        match = SLOT_NAME.match(path.name)
        assert match and int(match[3]) % minutes == 0, path.name
    assert landing.meta["rows"] == daily.meta["rows"]
    assert (landing.truth / "expected_findings.csv").read_bytes() == (
        daily.truth / "expected_findings.csv").read_bytes()


def test_file_names_parse_into_slots() -> None:
    utc = lambda *a: datetime(*a, tzinfo=UTC)  # noqa: E731
    day = slot_of("2026-03-02.csv", ZONE)
    assert (day.day, day.start_minute, day.start, day.end) == (
        date(2026, 3, 2), None, utc(2026, 3, 1, 16), utc(2026, 3, 2, 16))
    assert slot_of("2026-03-02-2.parquet", ZONE, 15) == day  # a part of the day's delivery
    quarter = slot_of("2026-03-02-0815-1.jsonl.gz", ZONE, 15)
    assert (quarter.start_minute, quarter.start, quarter.end) == (
        495, utc(2026, 3, 2, 0, 15), utc(2026, 3, 2, 0, 30))
    assert slot_of("2026-03-02-2300.csv", ZONE, 60).end == utc(2026, 3, 2, 16)
    for name in ("tickets.csv", "2026-03-02-2400.csv", "2026-02-30.csv", "2026-03-02-12345.csv"):
        assert slot_of(name, ZONE, 15) is None, name
    with pytest.raises(ValueError, match="slot length"):
        slot_of("2026-03-02-0815.csv", ZONE)
    # Berlin, 2026-10-25: 02:00-03:00 happens twice (CEST, then CET)
    repeated = slot_of("2026-10-25-0215.csv", "Europe/Berlin", 15)
    assert (repeated.start, repeated.end) == (utc(2026, 10, 25, 0, 15), utc(2026, 10, 25, 1, 30))
    before = slot_of("2026-10-25-0145.csv", "Europe/Berlin", 15)
    assert (before.start, before.end) == (utc(2026, 10, 24, 23, 45), utc(2026, 10, 25, 0, 0))
    # Berlin, 2026-03-29: the clock jumps from 02:00 to 03:00
    assert slot_of("2026-03-29-0100.csv", "Europe/Berlin", 60).end == utc(2026, 3, 29, 1)
    assert slot_of("2026-03-29.csv", "Europe/Berlin").end == utc(2026, 3, 29, 22)

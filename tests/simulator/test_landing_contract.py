"""Every simulated file loads with plain DuckDB readers and keeps the contract parsed from
`shared/spec/data-contract.md`, except exactly the bad rows the truth lists."""

from __future__ import annotations

import gzip
import re

import pandas as pd
import pytest

from tests.simulator.sim_landing import NAME, read_file, suffix
from tests.simulator.sim_spec import contract

SPEC = contract()


def test_every_entity_has_daily_files_named_by_business_date(sim) -> None:
    for path in SPEC:
        files = sorted((sim.landing / path).iterdir())
        assert files, path
        assert all(NAME.match(f.name) for f in files), [f.name for f in files]
    days = {f.name[:10] for f in (sim.landing / "netops/cell_kpi_hourly").iterdir()}
    assert days == {"2026-03-02", "2026-03-03", "2026-03-04"}


def test_every_allowed_format_is_delivered(sim) -> None:
    formats = {suffix(f) for f in sim.landing.rglob("*") if f.is_file()}
    assert formats == {".csv", ".csv.gz", ".jsonl", ".jsonl.gz", ".parquet"}


def _text(path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.name.endswith(".gz") else raw).decode("utf-8")


def test_timestamps_come_with_offset_with_z_and_naive(sim) -> None:
    styles = set()
    for f in (sim.landing / "ticketing/ticket_events").iterdir():
        if suffix(f) == ".parquet":
            continue
        stamp = re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|\+08:00)?", _text(f))
        styles.add(stamp.group(1) or "naive")
    for f in sim.landing.rglob("*.csv"):
        for stamp in re.finditer(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|\+08:00)?", _text(f)):
            styles.add(stamp.group(1) or "naive")
    assert styles == {"Z", "+08:00", "naive"}


@pytest.mark.parametrize("path", sorted(SPEC))
def test_each_file_has_exactly_the_spec_columns(sim, path: str) -> None:
    expected = [c.name for c in SPEC[path].columns]
    for f in sorted((sim.landing / path).iterdir()):
        assert list(read_file(f).columns[:-1]) == expected, f.name


@pytest.mark.parametrize("path", sorted(SPEC))
def test_only_the_planted_bad_rows_break_the_contract(sim, path: str) -> None:
    broken = sim.data[path].broken
    truth = sim.bad_rows[sim.bad_rows["entity"] == path]
    assert set(zip(broken["_file"], broken["_row"], strict=True)) == set(
        zip(truth["file"], truth["row_number"], strict=True))
    assert len(sim.data[path].rows) > 0


def test_every_kind_of_bad_row_the_contract_names_is_planted(sim) -> None:
    kinds = set(sim.bad_rows["kind"])
    assert {"bad_type", "bad_enum", "missing_key", "unparsable_timestamp", "negative_duration",
            "out_of_range", "cleared_before_raised", "resolved_without_closure_code",
            "msisdn_not_digits", "negative_value"} <= kinds
    reasons = pd.concat([c.broken for c in sim.data.values()])["reason"]
    assert reasons.str.startswith("bad type").any() and reasons.str.contains("below").any()


def test_rows_written_reconcile_with_rows_read(sim) -> None:
    for path in SPEC:
        read = len(sim.data[path].rows) + len(sim.data[path].broken)
        assert read == sim.meta["rows"][path], path
    assert sim.meta["bad_rows"] == len(sim.bad_rows)


def test_free_text_is_chinese_with_commas_quotes_and_newlines(sim) -> None:
    text = pd.concat([sim.data["ticketing/tickets"].rows["description"],
                      sim.data["ticketing/ticket_events"].rows["note"]]).dropna()
    assert text.str.contains("，").any() and text.str.contains(",|，").all()
    assert text.str.contains('"').any() and text.str.contains("\n").any()
    assert text.str.contains(r"[\u4e00-\u9fff]").all()


def test_alarms_are_redelivered_cleared_in_a_later_file(sim) -> None:
    alarms = sim.data["netops/alarms"].rows
    twice = alarms[alarms.duplicated("alarm_id", keep=False)].sort_values(["alarm_id", "_file"])
    assert len(twice)
    for _, rows in twice.groupby("alarm_id"):
        assert rows["cleared_at"].iloc[0] is pd.NaT or pd.isna(rows["cleared_at"].iloc[0])
        assert pd.notna(rows["cleared_at"].iloc[-1])
        assert rows["_file"].iloc[0] < rows["_file"].iloc[-1]


def test_events_arrive_out_of_order_and_some_a_day_late(sim) -> None:
    events = sim.data["ticketing/ticket_events"].rows
    first_file = events[events["_file"] == events["_file"].min()]
    assert not first_file["event_at"].is_monotonic_increasing
    local_day = (events["event_at"] + pd.Timedelta(hours=8)).dt.strftime("%Y-%m-%d")
    file_day = events["_file"].str.extract(r"(\d{4}-\d{2}-\d{2})")[0]
    late = events[(file_day > local_day) & (local_day >= "2026-03-02")]
    assert len(late) > 0


def test_identifiers_look_like_the_operator_s(sim) -> None:
    cells = sim.data["netops/cells"].rows
    assert cells["cell_id"].str.fullmatch(r"460-00-\d{6,7}-\d").all()
    assert set(cells["rat"]) == {"4G", "5G"} and set(cells["site_type"]) == {
        "macro", "micro", "indoor", "pico"}
    msisdn = sim.data["crm/customers"].rows["msisdn"]
    assert msisdn.str.fullmatch(r"1[358]\d{9}").all()
    tiers = sim.data["crm/customers"].rows.drop_duplicates("customer_id")["tier"]
    assert tiers.value_counts().idxmax() == "standard" and len(set(tiers)) == 4


def test_most_complaints_are_about_the_network(sim) -> None:
    family = sim.data["ticketing/tickets"].rows["category"].str.split(".").str[0]
    assert family.value_counts(normalize=True)["network"] > 0.5
    assert set(family) == {"network", "billing", "service", "product"}


def test_truth_lies_outside_the_landing_root(sim) -> None:
    assert sim.landing.resolve() not in sim.truth.resolve().parents
    assert sim.meta["as_of"] == "2026-03-04 16:00:00"

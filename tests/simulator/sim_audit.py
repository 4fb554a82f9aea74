"""A small, independent reading of `shared/spec/audit-rules.md`, in plain pandas/Python, to
check the simulator's ground truth from the written files (not from the simulator's code).

`audit(loaded, as_of)` returns one row of facts per ticket (clock, contact, linked cells,
F1/F2 evidence...) and the set of (ticket_id, rule_id) that fire.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tests.simulator.sim_landing import Checked
from tests.simulator.sim_spec import kpi_thresholds, sla_policy, step_rules

GRACE = pd.Timedelta(hours=1)  # §5 F1
WINDOW = pd.Timedelta(hours=72)  # §3
RECOVERY = pd.Timedelta(hours=24)  # §5 F2
REPEAT = pd.Timedelta(days=7)  # §5 F4
APPEAL = pd.Timedelta(days=15)  # §11 R1
NETWORK_FIX = {"network_fixed", "network_optimized"}
KPI_COLUMNS = ("prb_util_dl_pct", "user_dl_rate_mbps", "access_success_pct", "drop_rate_pct",
               "good_coverage_pct", "traffic_gb", "active_users")
CLOSING = {"resolved", "closed", "cancelled"}


@dataclass
class Audit:
    facts: pd.DataFrame
    findings: set[tuple[str, str]]


def _tier_at(customers: pd.DataFrame) -> dict[str, list[tuple[pd.Timestamp, str]]]:
    versions: dict[str, list] = defaultdict(list)
    for row in customers.sort_values("updated_at").itertuples():
        versions[row.msisdn].append((row.updated_at, row.tier))
    return versions


def _clock(events: list, until: pd.Timestamp, since: pd.Timestamp | None = None) -> float:
    """Minutes the SLA clock ran from creation (or `since`) to `until`: not while pending or
    resolved."""
    minutes, running_since = 0.0, None

    def bank(start: pd.Timestamp, end: pd.Timestamp) -> float:
        start = start if since is None else max(start, since)
        return max((end - start).total_seconds() / 60, 0.0)

    for e in events:
        if e.event_at > until:
            break
        running = e.status_after not in ("pending", *CLOSING)
        if running and running_since is None:
            running_since = e.event_at
        elif not running and running_since is not None:
            minutes += bank(running_since, e.event_at)
            running_since = None
    if running_since is not None:
        minutes += bank(running_since, until)
    return minutes


def _steps(evs: list, created_at: pd.Timestamp, priority: str, is_open: bool,
           as_of: pd.Timestamp) -> tuple[set[str], dict[str, float]]:
    """§10: each step rule's clock from its first start to the first end after it (or as-of
    on an open ticket), and the rules whose clock is over their limit."""
    fired, clocks = set(), {}
    for rule, (start, end, minutes, urgent) in step_rules().items():
        limit = urgent if priority == "urgent" else minutes
        if start == "created":
            begun, rest = created_at, evs
        else:
            at = next((i for i, e in enumerate(evs) if e.action == start), None)
            if at is None:
                continue
            begun, rest = evs[at].event_at, evs[at + 1:]
        done = next((e.event_at for e in rest if e.action == end), None)
        if done is None and not is_open:
            continue  # resolved or cancelled without the step: it was not needed
        clocks[rule] = _clock(evs, done if done is not None else as_of, since=begun)
        if clocks[rule] > limit:
            fired.add(rule)
    return fired, clocks


def _degraded(kpi: pd.DataFrame, rat: pd.Series) -> pd.Series:
    thresholds = kpi_thresholds()
    out = np.zeros(len(kpi), dtype=bool)
    for name, (op, t4, t5) in thresholds.items():
        limit = rat.map({"4G": t4, "5G": t5}).to_numpy(dtype="float64", na_value=np.nan)
        value = kpi[name].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):  # a null KPI (NaN) compares False: breaches nothing
            out |= (value > limit) if op == ">" else (value < limit)
    return pd.Series(out, index=kpi.index)


def audit(data: dict[str, Checked], as_of: pd.Timestamp) -> Audit:
    tickets = data["ticketing/tickets"].rows
    events = data["ticketing/ticket_events"].rows.sort_values(["event_at", "event_id"])
    contacts = data["crm/contacts"].rows
    surveys = data["ticketing/surveys"].rows
    sessions = data["netops/user_cell_sessions"].rows
    cells = data["netops/cells"].rows.set_index("cell_id")
    alarms = data["netops/alarms"].rows.sort_values("cleared_at", na_position="first")
    alarms = alarms.drop_duplicates("alarm_id", keep="last")  # the cleared re-delivery wins
    kpi = data["netops/cell_kpi_hourly"].rows.copy()
    kpi["rat"] = kpi["cell_id"].map(cells["rat"])
    kpi["degraded"] = _degraded(kpi, kpi["rat"])
    kpi["has_data"] = kpi[list(KPI_COLUMNS)].notna().any(axis=1)
    kpi_by_cell = dict(tuple(kpi.groupby("cell_id")))
    alarms_by_cell = dict(tuple(alarms.groupby("cell_id")))
    sessions_by = dict(tuple(sessions.groupby("msisdn")))
    events_by = defaultdict(list)
    for e in events.itertuples():
        events_by[e.ticket_id].append(e)
    outbound = contacts[(contacts["direction"] == "outbound")
                        & contacts["related_ticket_id"].notna()]
    first_crm = outbound.groupby("related_ticket_id")["contact_at"].min()
    versions = _tier_at(data["crm/customers"].rows)
    policy = sla_policy()
    family = tickets.set_index("ticket_id")["category"].str.split(".").str[0]
    by_msisdn = tickets.assign(family=tickets["ticket_id"].map(family)).groupby("msisdn")

    facts, findings = [], set()
    for t in tickets.itertuples():
        evs = events_by[t.ticket_id]
        tier = [v for at, v in versions[t.msisdn] if at <= t.created_at][-1]
        fc_min, res_h = policy[(t.priority, tier)]
        resolving = [e for e in evs if e.action == "resolved"] or [
            e for e in evs if e.action == "closed"]
        resolved_at = resolving[-1].event_at if resolving else None
        code = resolving[-1].closure_code if resolving else None
        cancelled = any(e.action == "cancelled" for e in evs)
        contact_times = [e.event_at for e in evs if e.action == "customer_contacted"]
        if t.ticket_id in first_crm.index:
            contact_times.append(first_crm[t.ticket_id])
        first_contact = min(contact_times) if contact_times else None
        last_state = evs[-1].status_after if evs else "acknowledged"
        is_open = last_state not in CLOSING
        clock_end = resolved_at if resolved_at is not None else as_of
        clock = _clock(evs, clock_end)
        fired = set()
        if not cancelled and code != "duplicate":
            if resolved_at is not None and clock > res_h * 60:
                fired.add("T1")
            deadline = t.created_at + pd.Timedelta(minutes=fc_min)
            waited_until = min(resolved_at, as_of) if resolved_at is not None else as_of
            if first_contact is not None and first_contact - t.created_at > pd.Timedelta(
                    minutes=fc_min):
                fired.add("T2")
            elif first_contact is None and deadline < waited_until:
                fired.add("T2")
            if is_open and clock > res_h * 60:
                fired.add("T3")
            step_fired, step_clocks = _steps(evs, t.created_at, t.priority, is_open, as_of)
            fired |= step_fired
        else:
            step_clocks = {}
        mine = sessions_by.get(t.msisdn)
        linked = []
        if mine is not None:
            inside = mine[(mine["period_start"] >= t.created_at - WINDOW)
                          & (mine["period_start"] <= t.created_at)]
            totals = inside.groupby("cell_id")["duration_s"].sum().reset_index()
            totals = totals.sort_values(["duration_s", "cell_id"], ascending=[False, True])
            linked = list(totals["cell_id"])
        top3 = linked[:3]
        f2_share = None
        if resolved_at is not None and not cancelled and code in NETWORK_FIX:
            for cell in top3:
                a = alarms_by_cell.get(cell)
                if a is not None and ((a["severity"].isin(["critical", "major"]))
                                      & (a["raised_at"] <= resolved_at)
                                      & (a["cleared_at"].isna()
                                         | (a["cleared_at"] > resolved_at + GRACE))).any():
                    fired.add("F1")
                k = kpi_by_cell.get(cell)
                if k is None:
                    continue
                in_window = k[(k["period_start"] >= t.created_at - WINDOW)
                              & (k["period_start"] <= t.created_at)]
                after = k[(k["period_start"] > resolved_at)
                          & (k["period_start"] <= resolved_at + RECOVERY) & k["has_data"]]
                if in_window["degraded"].any() and len(after):
                    share = after["degraded"].mean()
                    f2_share = share if f2_share is None else max(f2_share, share)
                    if share >= 0.5:
                        fired.add("F2")
        if resolved_at is not None and not cancelled:
            if code not in ("customer_unreachable", "duplicate") and (
                    first_contact is None or first_contact >= resolved_at):
                fired.add("F3")
            same = by_msisdn.get_group(t.msisdn)
            same = same[(same["family"] == family[t.ticket_id])
                        & (same["created_at"] > resolved_at)
                        & (same["created_at"] <= resolved_at + REPEAT)]
            if len(same) or any(e.action == "reopened" for e in evs):
                fired.add("F4")
            mine_s = surveys[(surveys["ticket_id"] == t.ticket_id)
                             & (surveys["surveyed_at"] > resolved_at)]
            if (mine_s["resolved_confirmed"] == False).any():  # noqa: E712 (nullable)
                fired.add("F5")
        if not cancelled:  # R1: open too long, or reopened or disputed within the window
            reopens = [e.event_at for e in evs if e.action == "reopened"]
            disputes = surveys[(surveys["ticket_id"] == t.ticket_id)
                               & (surveys["resolved_confirmed"] == False)]  # noqa: E712
            if resolved_at is not None:
                disputes = disputes[disputes["surveyed_at"] > resolved_at]
            else:
                disputes = disputes.iloc[0:0]
            if (is_open and as_of - t.created_at >= APPEAL) or (
                    reopens and min(reopens) - t.created_at <= APPEAL) or (
                    len(disputes) and disputes["surveyed_at"].min() - t.created_at <= APPEAL):
                fired.add("R1")
        findings |= {(t.ticket_id, r) for r in fired}
        facts.append({"ticket_id": t.ticket_id, "tier": tier, "priority": t.priority,
                      "fc_limit_min": fc_min, "res_limit_min": res_h * 60,
                      "first_contact_min": None if first_contact is None else
                      (first_contact - t.created_at).total_seconds() / 60,
                      "clock_min": clock, "resolved_at": resolved_at, "code": code,
                      "is_open": is_open, "cancelled": cancelled, "linked": linked,
                      "f2_share": f2_share, "created_at": t.created_at, "msisdn": t.msisdn,
                      "wall_min": (clock_end - t.created_at).total_seconds() / 60,
                      **{f"{rule}_min": step_clocks.get(rule) for rule in step_rules()}})
    return Audit(pd.DataFrame(facts).set_index("ticket_id"), findings)

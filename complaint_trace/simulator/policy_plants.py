"""Planted cases of versioned, scenario-matched policies and business calendars (audit-rules
§8, §9), and the policy variant they are judged under.

The default world is audited on the §2 table alone. Beside it the truth holds a policy
variant (`policy_variant/sla_policy.csv`, the seed format) whose extra rows apply only on the
creation dates of these plants, weeks before the simulated days, so every other ticket keeps
its limits; `policy_variant/expected_findings.csv` is what the audit must find with that seed:
- a regulator-forwarded ticket created at 17:00 on the Friday before a holiday, on the
  `workdays` calendar (24 working hours): resolved one minute after its deadline, which lands
  after the holiday and a make-up Saturday (T1), and a twin resolved at the deadline (no T1);
- an enterprise customer's ticket under a stricter row (12 h) resolved after 13 h (T1);
- a policy version (24 h) that starts the day after a ticket's creation: that ticket, resolved
  after 30 h, keeps the older 48 h (no T1); the same case a day later falls under it (T1).

Under the default table the holiday tickets are late (12 days on a 48 h limit: T1) and the
others are in time. The working-minute deadline is walked here, day by day, from the holiday
library (`business_calendar`), not from the dbt calendar table. Planted only when the source
zone is China's and the library covers the anchor Friday's year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from complaint_trace.business_calendar import CalendarCoverageError, working_days
from complaint_trace.simulator.config import SLA_POLICY
from complaint_trace.simulator.lifecycle import Ticket

CHINA_TZ = "Asia/Shanghai"
WORK_START, WORK_END = time(8, 30), time(17, 30)  # audit-rules §9 default working hours
# the plants sit at least this many days before the first simulated day: before the R1 plants
# (created 15 days and up to 6 hours before the as-of), so no other ticket shares their dates
LEAD_DAYS = 16
PRIORITY, TIER = "normal", "standard"
POLICY_HEADER = ("policy_id,priority,tier,channel,segment,category_family,calendar,"
                 "effective_from,effective_to,first_contact_minutes,resolution_hours")


@dataclass(frozen=True)
class PolicyPlant:
    scenario: str
    created_local: datetime
    resolve_after_s: int  # wall seconds from creation to resolution (no pause)
    variant_rules: tuple[str, ...]  # what fires under the policy variant
    default_rules: tuple[str, ...]  # what fires under the §2 table alone
    channel: str = "hotline"
    segment: str | None = None  # the customer's segment, when the case needs one


def _calendar(year: int) -> dict[date, bool]:
    return {d.calendar_date: d.is_workday for d in working_days(year, year + 1)}


def _anchor_friday(before: date, workdays: dict[date, bool]) -> date | None:
    """The latest working Friday on or before `before` from whose 17:00 a 24-working-hour
    deadline lands after a weekday holiday and a make-up Saturday."""
    day = before - timedelta(days=(before.weekday() - 4) % 7)
    for _ in range(60):
        if workdays.get(day):
            deadline = working_deadline(datetime.combine(day, time(17, 0)), 24 * 60, workdays)
            between = [day + timedelta(days=k) for k in range(1, (deadline.date() - day).days)]
            if any(d.weekday() < 5 and not workdays[d] for d in between) \
                    and any(d.weekday() == 5 and workdays[d] for d in between):
                return day
        day -= timedelta(days=7)
    return None


def working_deadline(start: datetime, minutes: int, workdays: dict[date, bool]) -> datetime:
    """The local instant at which `minutes` working minutes from `start` are used up."""
    left = timedelta(minutes=minutes)
    day = start.date()
    while True:
        if workdays[day]:
            opens = max(datetime.combine(day, WORK_START), start)
            closes = datetime.combine(day, WORK_END)
            if closes > opens:
                if closes - opens >= left:
                    return opens + left
                left -= closes - opens
        day += timedelta(days=1)


def policy_plants(first_day: date, source_tz: str) -> tuple[list[PolicyPlant], list[str]]:
    """The plants and the policy variant's extra seed rows (none outside China's zone or the
    library's coverage)."""
    if source_tz != CHINA_TZ:
        return [], []
    before = first_day - timedelta(days=LEAD_DAYS)
    try:
        workdays = _calendar(before.year - 1)
    except CalendarCoverageError:
        return [], []
    friday = _anchor_friday(before, workdays)
    if friday is None:
        return [], []
    created = datetime.combine(friday, time(17, 0))
    deadline = working_deadline(created, 24 * 60, workdays)
    late = int((deadline - created).total_seconds()) + 60
    strict_day, version_day = friday - timedelta(days=7), friday - timedelta(days=4)
    plants = [
        PolicyPlant("pol_holiday_deadline_missed", created, late, ("T1",), ("T1",),
                    channel="regulator"),
        PolicyPlant("pol_holiday_deadline_met", created, late - 60, (), ("T1",),
                    channel="regulator"),
        PolicyPlant("pol_enterprise_stricter_row", datetime.combine(strict_day, time(10)),
                    13 * 3600, ("T1",), (), segment="enterprise"),
        PolicyPlant("pol_version_starts_the_next_day",
                    datetime.combine(version_day - timedelta(days=1), time(10)), 30 * 3600,
                    (), ()),
        PolicyPlant("pol_version_in_force", datetime.combine(version_day, time(10)), 30 * 3600,
                    ("T1",), ()),
    ]
    rows = [
        f"plant-regulator-workdays,{PRIORITY},{TIER},regulator,,,workdays,{friday},{friday},"
        "60,24",
        f"plant-enterprise-strict,{PRIORITY},{TIER},,enterprise,,24x7,{strict_day},"
        f"{strict_day},30,12",
        f"plant-version-next-day,{PRIORITY},{TIER},,,,24x7,{version_day},{version_day},60,24",
    ]
    return plants, rows


def plant_tickets(plants: list[PolicyPlant], make: Callable[[str, str], Ticket],
                  source_tz: str) -> list[Ticket]:
    """One resolved ticket per plant, from `make(priority, tier)` (the planner's new ticket),
    contacted 20 minutes after creation, never paused."""
    zone = ZoneInfo(source_tz)
    out = []
    for plant in plants:
        t = make(PRIORITY, TIER)
        t.created = int(plant.created_local.replace(tzinfo=zone).timestamp())
        t.scenario, t.near_miss, t.rules = plant.scenario, False, plant.default_rules
        t.variant_rules, t.segment = plant.variant_rules, plant.segment
        t.channel, t.code = plant.channel, "explained"
        t.contact, t.contact_via = 20 * 60, "event"
        t.resolve_clock = plant.resolve_after_s
        t.sessions, t.pool, t.late_events = "missing", "H", False
        t.survey, t.inbound, t.unrelated_outbound = None, None, False
        out.append(t)
    return out


def variant_policy(extra_rows: list[str]) -> str:
    """The variant seed: the §2 table as the default rows, then the plants' rows."""
    lines = [POLICY_HEADER] + [
        f"default-{p}-{tier},{p},{tier},,,,24x7,2000-01-01,,{minutes},{hours}"
        for (p, tier), (minutes, hours) in SLA_POLICY.items()]
    return "\n".join([*lines, *extra_rows]) + "\n"

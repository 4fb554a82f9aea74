"""Simulation arguments, the result handed back, and the policy the ground truth assumes.

The SLA table, KPI thresholds and rule windows below are the *spec defaults*
(`shared/spec/audit-rules.md` §2, §4, §5, §10). The simulator plants its cases against them; the
pipeline reads its own copies from dbt seeds/vars, so a test that compares the two catches drift.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from complaint_trace.delivery import DAY_MINUTES, DELIVERY_MINUTES

TIERS = ("platinum", "gold", "silver", "standard")
PRIORITIES = ("urgent", "high", "normal", "low")

# audit-rules §2: (minutes to first contact, hours to resolution) by priority and tier.
SLA_POLICY: dict[tuple[str, str], tuple[int, int]] = {
    ("urgent", "platinum"): (15, 4), ("urgent", "gold"): (20, 6),
    ("urgent", "silver"): (30, 8), ("urgent", "standard"): (30, 12),
    ("high", "platinum"): (30, 12), ("high", "gold"): (45, 18),
    ("high", "silver"): (60, 24), ("high", "standard"): (60, 24),
    ("normal", "platinum"): (60, 24), ("normal", "gold"): (90, 36),
    ("normal", "silver"): (120, 48), ("normal", "standard"): (120, 48),
    ("low", "platinum"): (120, 48), ("low", "gold"): (180, 72),
    ("low", "silver"): (240, 72), ("low", "standard"): (240, 96),
}

# audit-rules §4: KPI -> (comparator, 4G threshold, 5G threshold)
KPI_THRESHOLDS: dict[str, tuple[str, float, float]] = {
    "drop_rate_pct": (">", 2.0, 2.0),
    "access_success_pct": ("<", 95.0, 95.0),
    "user_dl_rate_mbps": ("<", 5.0, 20.0),
    "prb_util_dl_pct": (">", 85.0, 85.0),
    "good_coverage_pct": ("<", 90.0, 90.0),
}
ALARM_GRACE_S = 3600  # F1: cleared by resolved_at + 1 h
RECOVERY_WINDOW_H = 24  # F2: hours after resolution
NOT_RECOVERED_SHARE = 0.5  # F2 fires at >= this share
REPEAT_WINDOW_S = 7 * 86400  # F4
APPEAL_WINDOW_S = 15 * 86400  # R1 (audit-rules §11: wall-clock days from creation)
COMPLAINT_WINDOW_H = 72  # §3
# audit-rules §10 defaults: step rule -> (from action, to action, minutes, urgent minutes)
STEP_POLICY: dict[str, tuple[str, str, int, int]] = {
    "O1": ("created", "dispatched", 30, 10),
    "O2": ("dispatched", "accepted", 60, 30),
}
NETWORK_FIX_CODES = ("network_fixed", "network_optimized")
SOURCE_TZ = "Asia/Shanghai"  # zone of naive timestamps unless told otherwise


def step_limit_s(rule_id: str, priority: str) -> int:
    """A step rule's limit in seconds for a priority (§10)."""
    _, _, minutes, urgent = STEP_POLICY[rule_id]
    return (urgent if priority == "urgent" else minutes) * 60


def sla_limits_s(priority: str, tier: str) -> tuple[int, int]:
    """(first-contact limit, resolution limit) in seconds."""
    minutes, hours = SLA_POLICY[(priority, tier)]
    return minutes * 60, hours * 3600


@dataclass(frozen=True)
class SimConfig:
    """Everything one simulation depends on; the same config gives byte-identical files."""

    out: Path
    truth: Path
    days: int = 3
    tickets_per_day: int = 400
    cells: int = 2000
    seed: int = 7
    start: date = date(2026, 3, 2)
    bad_row_rate: float = 0.002
    planted_rate: float = 0.12
    source_tz: str = SOURCE_TZ
    missing_trace_rate: float = 0.05
    """Share of background tickets with no sessions in their complaint window."""
    late_event_rate: float = 0.04
    """Share of tickets whose later events arrive in the next day's file."""
    delivery_minutes: int = DAY_MINUTES
    """Ticketing and CRM deliver a file every this many minutes (network hourly below a day);
    the default is one file per entity and business day. Only the cutting into files depends
    on it, never the data, so it stays out of the truth (docs/simulator.md)."""
    standard_feeds: bool = False
    """Tickets, alarms and KPIs in the industry's formats (TMF621, TMF642 and VES, 3GPP PM
    XML) instead of the contract's; the same world, so it stays out of the truth too."""

    def __post_init__(self) -> None:
        if self.days < 1 or self.tickets_per_day < 1:
            raise ValueError("days and tickets_per_day must be >= 1")
        if self.cells < 50:
            raise ValueError("cells must be >= 50 (districts need cells of every pool)")
        for name in ("bad_row_rate", "planted_rate", "missing_trace_rate", "late_event_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        if self.delivery_minutes not in DELIVERY_MINUTES:
            raise ValueError(f"delivery_minutes must be one of {DELIVERY_MINUTES}")
        if self.standard_feeds and self.delivery_minutes != DAY_MINUTES:
            raise ValueError("standard feeds are written as daily files (and PM files per "
                             "quarter-hour): not with delivery_minutes")

    def as_meta(self) -> dict:
        meta = asdict(self)
        # the world, not its cutting or its formats: the same truth for every cadence and format
        del meta["delivery_minutes"], meta["standard_feeds"]
        return {k: (str(v) if isinstance(v, Path | date) else v) for k, v in meta.items()}


@dataclass
class SimulationResult:
    """What `simulate()` wrote: where, how much, and the as-of time the truth assumes."""

    landing: Path
    truth: Path
    as_of: datetime  # naive UTC
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # entity path -> rows written (incl. bad)
    bad_rows: int = 0
    planted_tickets: int = 0
    seconds: float = 0.0

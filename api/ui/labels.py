"""Values the sources and the audit write (statuses, severities, KPI names, rule names...)
that a page shows in the reader's language. Each is a catalogue message (marked `N_` so the
extractor finds it); a value not listed here is shown as it is."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    return message


VALUES = (
    # TMF621 ticket states
    N_("acknowledged"), N_("inProgress"), N_("pending"), N_("held"), N_("resolved"),
    N_("closed"), N_("cancelled"), N_("rejected"),
    # priorities and severities (tickets, rules, alarms)
    N_("urgent"), N_("high"), N_("normal"), N_("medium"), N_("low"), N_("critical"), N_("major"),
    N_("minor"), N_("warning"),
    # rule names (seed rule_catalog)
    N_("resolve_timeout"), N_("first_contact_timeout"), N_("overdue_open"),
    N_("alarm_active_at_resolution"), N_("kpi_not_recovered"), N_("no_customer_contact"),
    N_("repeat_complaint"), N_("survey_disputes_resolution"), N_("appeal_risk"),
    # the default step rules (seed step_policy; a rule added there shows its name as it is)
    N_("dispatch_timeout"), N_("accept_timeout"),
    # timeline item types and source systems
    N_("crm_contact"), N_("ticket_event"), N_("alarm_raised"), N_("alarm_cleared"),
    N_("degradation_start"), N_("degradation_end"), N_("survey"), N_("repeat_ticket"),
    N_("crm"), N_("ticketing"), N_("netops"),
    # network trace and customer tiers
    N_("present"), N_("missing"), N_("standard"), N_("silver"), N_("gold"), N_("platinum"),
    N_("enterprise"), N_("individual"),
    # roles
    N_("handler"), N_("auditor"), N_("admin"),
    # the SLA clock's states (audit-rules §12) and calendars (§9)
    N_("running"), N_("paused"), N_("stopped"), N_("24x7"), N_("workdays"),
    # ticket event actions (data contract ticket_events.action)
    N_("created"), N_("dispatched"), N_("accepted"), N_("customer_contacted"), N_("site_visit"),
    N_("pending_customer"), N_("resumed"), N_("escalated"), N_("reopened"),
    # contact directions, survey verdicts, cell inventory
    N_("inbound"), N_("outbound"), N_("confirmed"), N_("disputed"), N_("active"),
    N_("decommissioned"), N_("macro"), N_("micro"), N_("indoor"), N_("pico"),
    # alarm types (the contract's examples)
    N_("cell_out_of_service"), N_("transmission_failure"), N_("power_failure"), N_("vswr_high"),
    N_("high_temperature"),
    # closure codes (data contract ticket_events.closure_code)
    N_("network_fixed"), N_("network_optimized"), N_("coverage_planned"), N_("explained"),
    N_("billing_adjusted"), N_("customer_unreachable"), N_("no_fault_found"), N_("duplicate"),
    # channels
    N_("hotline"), N_("app"), N_("web"), N_("store"), N_("account_manager"), N_("regulator"),
)

# The KPIs of `cell_kpi_hourly` (data contract) and their units, in chart order.
KPI_LABELS = (
    ("prb_util_dl_pct", N_("PRB utilisation DL"), "%"),
    ("user_dl_rate_mbps", N_("User DL rate"), "Mbit/s"),
    ("access_success_pct", N_("Access success"), "%"),
    ("drop_rate_pct", N_("Drop rate"), "%"),
    ("good_coverage_pct", N_("Good coverage"), "%"),
)

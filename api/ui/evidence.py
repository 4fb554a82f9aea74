"""A finding's evidence in words, for the ticket page and the auditors' list. Each rule's
sentence is a message of the catalogue, filled from the evidence the audit recorded
(`quality_checks/rules.py`); a rule without a sentence yet lists its evidence as it is."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from api.ui.i18n import Language, parse_utc

Alarms = Mapping[str, Mapping[str, Any]]  # alarm id -> severity, raised_at, cleared_at


def _minutes_between(start: str | datetime | None, end: str | datetime | None) -> float | None:
    if not start or not end:
        return None
    return (parse_utc(end) - parse_utc(start)).total_seconds() / 60


def _t1(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    over = (e.get("resolution_clock_minutes") or 0) - (e.get("resolution_limit_minutes") or 0)
    return lang._(
        "Resolved at %(resolved)s after %(clock)s on the SLA clock (limit %(limit)s, paused "
        "%(paused)s): %(over)s over the deadline of %(deadline)s, owned then by %(dept)s.",
        resolved=lang.time(e.get("resolved_at")), clock=lang.duration(
            e.get("resolution_clock_minutes")), limit=lang.duration(
            e.get("resolution_limit_minutes")), paused=lang.duration(e.get("pending_minutes")),
        over=lang.duration(over), deadline=lang.time(e.get("resolution_deadline_at")),
        dept=e.get("resolution_deadline_department") or "—")


def _t2(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    if e.get("first_contact_at"):
        return lang._(
            "First operator contact at %(at)s (%(record)s), %(delay)s after creation: the "
            "limit is %(limit)s (deadline %(deadline)s, owned then by %(dept)s).",
            at=lang.time(e["first_contact_at"]), record=e.get("first_contact_record_id") or "—",
            delay=lang.duration(e.get("first_contact_delay_minutes")),
            limit=lang.duration(e.get("first_contact_limit_minutes")),
            deadline=lang.time(e.get("first_contact_deadline_at")),
            dept=e.get("first_contact_deadline_department") or "—")
    return lang._(
        "No operator contact although the first-contact limit of %(limit)s passed at "
        "%(deadline)s (owned then by %(dept)s).",
        limit=lang.duration(e.get("first_contact_limit_minutes")),
        deadline=lang.time(e.get("first_contact_deadline_at")),
        dept=e.get("first_contact_deadline_department") or "—")


def _t3(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    over = (e.get("clock_minutes_at_as_of") or 0) - (e.get("resolution_limit_minutes") or 0)
    return lang._(
        "Still open at %(as_of)s with %(clock)s on the SLA clock (limit %(limit)s): overdue by "
        "%(over)s since %(deadline)s, owned then by %(dept)s.",
        as_of=lang.time(e.get("as_of")), clock=lang.duration(e.get("clock_minutes_at_as_of")),
        limit=lang.duration(e.get("resolution_limit_minutes")), over=lang.duration(over),
        deadline=lang.time(e.get("resolution_deadline_at")),
        dept=e.get("resolution_deadline_department") or "—")


def _f1(e: dict, lang: Language, alarms: Alarms, as_of: datetime | None) -> str:
    ids = [a for a in str(e.get("f1_alarm_ids") or "").split(",") if a]
    first = alarms.get(ids[0], {}) if ids else {}
    active_until = first.get("cleared_at") or as_of
    text = lang._(
        "%(severity)s alarm %(alarm)s on cell %(cell)s, raised %(raised)s, still active "
        "%(after)s after the %(closure)s resolution at %(resolved)s (grace %(grace)s).",
        severity=lang.value(first.get("severity") or e.get("f1_max_severity")),
        alarm=ids[0] if ids else "—", cell=e.get("f1_cell_ids") or "—",
        raised=lang.time(first.get("raised_at")),
        after=lang.duration(_minutes_between(e.get("resolved_at"), active_until)),
        closure=e.get("closure_code") or "—", resolved=lang.time(e.get("resolved_at")),
        grace=lang.duration((e.get("alarm_clear_grace_hours") or 0) * 60))
    if len(ids) > 1:
        text += " " + lang._("And %(n)d more alarm(s): %(ids)s.", n=len(ids) - 1,
                             ids=", ".join(ids[1:]))
    return text


def _f2(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    return lang._(
        "Cell %(cell)s stayed degraded in %(degraded)s of its %(hours)s hours with data in the "
        "%(window)s after the %(closure)s resolution at %(resolved)s (%(share)s; the rule "
        "fires from %(limit)s).",
        cell=e.get("f2_cell_id") or "—", degraded=e.get("f2_degraded_hours"),
        hours=e.get("f2_hours_with_data"),
        window=lang.duration((e.get("kpi_recovery_window_hours") or 0) * 60),
        closure=e.get("closure_code") or "—", resolved=lang.time(e.get("resolved_at")),
        share=lang.percent(e.get("f2_degraded_share")),
        limit=lang.percent(e.get("kpi_not_recovered_share")))


def _f3(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    text = lang._("Resolved at %(resolved)s (%(closure)s) without any operator contact before.",
                  resolved=lang.time(e.get("resolved_at")), closure=e.get("closure_code") or "—")
    if e.get("first_contact_at"):
        text += " " + lang._("The first contact came only at %(at)s (%(record)s).",
                             at=lang.time(e["first_contact_at"]),
                             record=e.get("first_contact_record_id") or "—")
    return text


def _f4(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    if e.get("was_reopened"):
        return lang._("Reopened (%(event)s) after the resolution at %(resolved)s.",
                      event=e.get("reopen_event_id") or "—",
                      resolved=lang.time(e.get("resolved_at")))
    hours = e.get("hours_to_next_same_family_ticket")
    return lang._(
        "The same customer opened %(next)s in the same family (%(category)s) %(after)s after "
        "the resolution at %(resolved)s (repeat window %(window)s).",
        next=e.get("next_same_family_ticket_id") or "—", category=e.get("category") or "—",
        after=lang.duration(hours * 60 if hours is not None else None),
        resolved=lang.time(e.get("resolved_at")),
        window=lang.duration((e.get("repeat_complaint_window_days") or 0) * 24 * 60))


def _f5(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    return lang._(
        "A survey at %(survey)s says the problem is not gone after the %(closure)s resolution "
        "at %(resolved)s.", survey=lang.time(e.get("disputing_survey_at")),
        closure=e.get("closure_code") or "—", resolved=lang.time(e.get("resolved_at")))


def _r1(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    window = lang.duration((e.get("appeal_window_days") or 0) * 24 * 60)
    if e.get("days_open_at_as_of") is not None:
        text = lang._("Open %(open)s after its creation at %(created)s", created=lang.time(
            e.get("created_at")), open=lang.duration(e["days_open_at_as_of"] * 24 * 60))
    elif e.get("days_to_first_reopen") is not None and \
            e["days_to_first_reopen"] <= (e.get("appeal_window_days") or 0):
        text = lang._("Reopened (%(event)s) %(after)s after its creation at %(created)s",
                      event=e.get("reopen_event_id") or "—", created=lang.time(
                          e.get("created_at")),
                      after=lang.duration(e["days_to_first_reopen"] * 24 * 60))
    else:
        text = lang._("A survey disputed its resolution %(after)s after its creation at "
                      "%(created)s", created=lang.time(e.get("created_at")), after=lang.duration(
                          (e.get("days_to_disputing_survey") or 0) * 24 * 60))
    return text + lang._(": the customer may appeal to the regulator (not settled within "
                         "%(window)s).", window=window)


def _step(e: dict, lang: Language, _: Alarms, __: datetime | None) -> str:
    """Any step deadline rule (audit-rules §10: a `step_policy` row, named by no code)."""
    fields = {"start": lang.value(e.get("from_action")), "end": lang.value(e.get("to_action")),
              "clock": lang.duration(e.get("step_clock_minutes")),
              "limit": lang.duration(e.get("step_limit_minutes")),
              "calendar": lang.value(e.get("step_calendar")),
              "deadline": lang.time(e.get("step_deadline_at")),
              "dept": e.get("step_deadline_department") or "—"}
    if e.get("step_done_at"):
        return lang._(
            "Step %(start)s → %(end)s took %(clock)s on the %(calendar)s clock (limit "
            "%(limit)s): done at %(done)s, after the deadline of %(deadline)s, owned then by "
            "%(dept)s.", done=lang.time(e["step_done_at"]), **fields)
    return lang._(
        "Step %(start)s → %(end)s still not done at %(as_of)s after %(clock)s on the "
        "%(calendar)s clock (limit %(limit)s, passed at %(deadline)s, owned then by %(dept)s).",
        as_of=lang.time(e.get("as_of")), **fields)


SENTENCES: dict[str, Callable[[dict, Language, Alarms, datetime | None], str]] = {
    "T1": _t1, "T2": _t2, "T3": _t3, "F1": _f1, "F2": _f2, "F3": _f3, "F4": _f4, "F5": _f5,
    "R1": _r1}


def in_words(rule_id: str, evidence: dict, lang: Language, alarms: Alarms | None = None,
             as_of: datetime | None = None) -> str:
    """The sentence of `rule_id`'s finding. `alarms` details the alarms F1 names (when the
    caller has them); `as_of` ends an alarm never cleared."""
    sentence = SENTENCES.get(rule_id) or (_step if "step_clock_minutes" in evidence else None)
    if sentence is None:
        return "; ".join(f"{k}: {v}" for k, v in evidence.items() if k != "ticket_id")
    return sentence(evidence, lang, alarms or {}, as_of)

"""Findings in words: each rule's sentence filled from its evidence, values worked out by hand
(times in Asia/Shanghai, UTC+8; durations in hours and minutes)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from api.ui.evidence import in_words
from api.ui.i18n import Language

EN = Language("en", ZoneInfo("Asia/Shanghai"))
ZH = Language("zh_CN", ZoneInfo("Asia/Shanghai"))


def test_t1_says_how_far_over_the_limit_and_who_owned_the_deadline():
    evidence = {"resolved_at": "2026-03-03T02:44:00Z", "resolution_clock_minutes": 836.0833,
                "resolution_limit_minutes": 720, "pending_minutes": 158.35,
                "resolution_deadline_at": "2026-03-03T00:47:55Z",
                "resolution_deadline_department": "网络优化中心"}
    assert in_words("T1", evidence, EN) == (
        "Resolved at 2026-03-03 10:44 after 13 h 56 min on the SLA clock (limit 12 h 00 min, "
        "paused 2 h 38 min): 1 h 56 min over the deadline of 2026-03-03 08:47, owned then by "
        "网络优化中心.")
    assert in_words("T1", evidence, ZH).startswith("于 2026-03-03 10:44 解决，SLA 计时 13小时56分")


def test_f1_names_the_alarm_when_it_was_raised_and_how_long_it_outlived_the_resolution():
    evidence = {"resolved_at": "2026-03-03T03:44:09Z", "closure_code": "network_fixed",
                "f1_alarm_ids": "ALM1,ALM2", "f1_cell_ids": "460-00-1-1",
                "f1_max_severity": "major", "alarm_clear_grace_hours": 1.0}
    alarms = {"ALM1": {"severity": "major", "raised_at": "2026-03-03T02:02:00Z",
                       "cleared_at": "2026-03-03T06:44:09Z"}}
    assert in_words("F1", evidence, EN, alarms) == (
        "major alarm ALM1 on cell 460-00-1-1, raised 2026-03-03 10:02, still active 3 h 00 min "
        "after the network_fixed resolution at 2026-03-03 11:44 (grace 1 h 00 min). "
        "And 1 more alarm(s): ALM2.")
    # never cleared: active until the as-of
    alarms["ALM1"]["cleared_at"] = None
    words = in_words("F1", evidence, EN, alarms, as_of=datetime(2026, 3, 4, 3, 44, 9))
    assert "still active 24 h 00 min after" in words


@pytest.mark.parametrize(("minutes", "en", "zh"), [
    (0, "0 min", "0分钟"), (59.4, "59 min", "59分钟"), (59.6, "1 h 00 min", "1小时00分"),
    (60, "1 h 00 min", "1小时00分"), (2879, "47 h 59 min", "47小时59分"),
    (2880, "2 d 0 h", "2天0小时"), (-90, "−1 h 30 min", "−1小时30分")])
def test_durations_read_in_hours_and_minutes(minutes, en, zh):
    assert EN.duration(minutes) == en and ZH.duration(minutes) == zh


def test_a_rule_without_a_sentence_lists_its_evidence():
    assert in_words("O9", {"ticket_id": "X", "step": "dispatch", "late_minutes": 3}, EN) == \
        "step: dispatch; late_minutes: 3"

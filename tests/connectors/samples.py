"""One valid row per entity, as delivered (all text), for tests to break one field at a time."""

import csv
import io
import json
from pathlib import Path

ALARM = {"alarm_id": "A1", "cell_id": "460-00-1-1", "raised_at": "2026-03-02 10:00:00",
         "cleared_at": "2026-03-02 11:00:00", "severity": "major", "alarm_type": "power_failure"}
SESSION = {"msisdn": "13800000001", "cell_id": "460-00-1-1",
           "period_start": "2026-03-02 10:00:00", "duration_s": "1200", "bytes_dl": "1000"}
KPI = {"cell_id": "460-00-1-1", "period_start": "2026-03-02 10:00:00", "prb_util_dl_pct": "40",
       "user_dl_rate_mbps": "22.5", "access_success_pct": "99.1", "drop_rate_pct": "0.4",
       "good_coverage_pct": "95", "traffic_gb": "1.5", "active_users": "30"}
EVENT = {"event_id": "E1", "ticket_id": "T1", "event_at": "2026-03-02 10:00:00",
         "action": "resolved", "status_after": "resolved", "department": "运维一组",
         "operator_id": "op1", "closure_code": "network_fixed", "note": ""}
TICKET = {"ticket_id": "T1", "msisdn": "13800000001", "created_at": "2026-03-02 10:00:00",
          "channel": "hotline", "category": "network.coverage", "priority": "high",
          "description": "x", "reported_district": "天河", "reported_lat": "23.1",
          "reported_lon": "113.3", "reopened_from_ticket_id": ""}
SURVEY = {"ticket_id": "T1", "surveyed_at": "2026-03-03 10:00:00", "resolved_confirmed": "TRUE",
          "score": "4"}
# a customer as the CRM delivers one, with personal data (domain glossary) to be masked
CUSTOMER = {"customer_id": "C1", "msisdn": "13812345678", "customer_name": "王小明",
            "tier": "gold", "segment": "individual", "updated_at": "2026-03-01T00:00:00"}
CONTACT = {"contact_id": "K1", "msisdn": "13800000001", "channel": "app",
           "direction": "inbound", "contact_at": "2026-03-02 09:00:00", "topic": "billing.dispute",
           "related_ticket_id": "", "resolved_on_contact": "0", "agent_id": "a1"}


def csv_bytes(rows: list[dict], columns: list[str] | None = None) -> bytes:
    columns = columns or list(rows[0])
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def jsonl_bytes(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def deliver_customer(landing: Path, row: dict) -> Path:
    """One customers file holding `row`, under the landing root."""
    path = landing / "crm/customers/2026-03-02.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes([row]))
    return path

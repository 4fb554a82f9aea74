"""The trace lookup. Mart columns are named in two places only: `documents.py` (the trace,
built at publish time) and `listing.py` (search, findings, summary).

All statements are parameterised (`?`); nothing from a request is ever pasted into SQL.
"""

from __future__ import annotations

TRACE_DOCUMENT = """
select customer_id, msisdn, customer_name, tier_at_creation, segment, evidence_has_pii,
       ticket_json, body_json
from main.trace_documents
where ticket_id = ?
"""

FINDING_FIELDS = ("ticket_id", "rule_id", "rule_name", "severity", "department", "evidence",
                  "run_id", "as_of", "found_at")

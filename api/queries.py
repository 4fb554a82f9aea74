"""The trace lookup. Mart columns are named in two places only: `documents.py` (the trace,
built at publish time) and `listing.py` (search, findings, summary).

All statements are parameterised (`?`); nothing from a request is ever pasted into SQL.
"""

from __future__ import annotations

import hashlib

TRACE_DOCUMENT = """
select customer_id, msisdn, customer_name, tier_at_creation, segment, evidence_has_pii,
       ticket_json, body_json
from main.trace_documents
where lookup_key = ? and ticket_id = ?
"""


def lookup_key(ticket_id: str) -> int:
    """The documents' sort key: the first 60 bits of the id's MD5 (same as `documents.py`
    computes in SQL). Computed here so the filter is a constant DuckDB can prune with."""
    return int(hashlib.md5(ticket_id.encode("utf-8")).hexdigest()[:15], 16)

FINDING_FIELDS = ("ticket_id", "rule_id", "rule_name", "severity", "department", "evidence",
                  "run_id", "as_of", "found_at")

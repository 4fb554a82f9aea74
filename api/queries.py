"""Fields shared by the trace and the listings. Mart columns are named in two places only:
`serving/documents.py` (the trace, built at publish time) and `listing.py` (search, findings,
summary).

All statements are parameterised (`?`); nothing from a request is ever pasted into SQL.
"""

from __future__ import annotations

FINDING_FIELDS = ("ticket_id", "rule_id", "rule_name", "severity", "department", "evidence",
                  "run_id", "as_of", "found_at")

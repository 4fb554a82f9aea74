"""Contract rules that are not a column's type, enumeration or range (data-contract.md).

Declared as data so the validator stays generic: a column rule applies to a column of that
name in any entity; a row rule to one entity. Expressions see the *typed* columns.
"""

from __future__ import annotations

from complaint_trace.contract import CATEGORY_FAMILIES, CLOSURE_CODES, NETWORK_KINDS


def _alternatives(values: tuple[str, ...]) -> str:
    return "|".join(values)


# column name -> (SQL condition that must hold when the value is not null, reason)
COLUMN_RULES: dict[str, tuple[str, str]] = {
    "msisdn": ("regexp_full_match({c}, '[0-9]+')", "msisdn: not all digits"),
    "category": (
        # `<family>.<kind>`; network kinds are enumerated by the contract, other families' not.
        f"regexp_full_match({{c}}, '(network\\.({_alternatives(NETWORK_KINDS)})"
        f"|({_alternatives(tuple(f for f in CATEGORY_FAMILIES if f != 'network'))})"
        f"\\.[a-z0-9_]+)')",
        "category: not <family>.<kind> with family in "
        f"{', '.join(CATEGORY_FAMILIES)} (network kinds: {', '.join(NETWORK_KINDS)})",
    ),
}

# entity path -> [(SQL condition that breaks the contract, reason)]
ROW_RULES: dict[str, list[tuple[str, str]]] = {
    "netops/alarms": [
        ("cleared_at < raised_at", "cleared_at: before raised_at"),
    ],
    "ticketing/ticket_events": [
        (
            "action = 'resolved' and closure_code is null",
            f"closure_code: required when action is resolved (one of {', '.join(CLOSURE_CODES)})",
        ),
    ],
}

"""Masking personal data (domain glossary: MSISDN, customer name) for everyone below admin:
the API, the `quarantine` CLI and the previews in Dagster's run storage use this one module."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# A Chinese mobile number inside free text: 1[3-9] and nine more digits, optionally split by
# spaces or hyphens as agents type them (138 1234 5678, 138-1234-5678), optionally after +86;
# not inside a longer run of digits (an order or IMEI number is not a phone number).
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)")
FREE_TEXT_FIELDS = ("description", "note")
NAME_FIELDS = ("customer_name",)
HIDDEN = "***"


def mask_msisdn(msisdn: str | None) -> str:
    """`13812341234` -> `138****1234`; too short to keep 7 digits -> all stars."""
    if not msisdn:
        return ""
    if len(msisdn) < 8:
        return "*" * len(msisdn)
    return f"{msisdn[:3]}****{msisdn[-4:]}"


def mask_free_text(text: str | None, names: Iterable[str | None] = ()) -> str | None:
    """Free text with every mobile number masked and each of `names` (the customer's own)
    replaced by `***`."""
    if not text:
        return text
    masked = _MOBILE.sub(lambda m: mask_msisdn(re.sub(r"\D", "", m.group())[-11:]), text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        masked = masked.replace(name, HIDDEN)
    return masked


def mask_record(record: dict[str, Any], names: Iterable[str | None] = ()) -> dict[str, Any]:
    """A delivered row as a non-admin may see it: `msisdn`-named values masked, the customer's
    name hidden, free text masked (also of the row's own `customer_name`)."""
    names = [*names, *(record.get(f) for f in NAME_FIELDS if isinstance(record.get(f), str))]
    out: dict[str, Any] = {}
    for key, value in record.items():
        if not isinstance(value, str):
            out[key] = value
        elif "msisdn" in key:
            out[key] = mask_msisdn(value)
        elif key in NAME_FIELDS:
            out[key] = HIDDEN
        else:
            out[key] = mask_free_text(value, names)
    return out


def scrub(value: Any) -> Any:
    """Mask every `msisdn`-named value inside evidence JSON (non-PII callers)."""
    if isinstance(value, dict):
        return {k: (mask_msisdn(v) if "msisdn" in k and isinstance(v, str) else scrub(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value

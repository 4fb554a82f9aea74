"""One readable line per timeline item, from the item's structured fields."""

from __future__ import annotations

from api.queries import TIMELINE_FIELDS


def _readable(item: dict) -> str:
    kind, base = item["type"], item["summary"] or item["type"].replace("_", " ")
    cell = f" on cell {item['cell_id']}" if item["cell_id"] else ""
    if kind == "ticket_event":
        parts = [base.replace("_", " ")]
        if item["department"]:
            parts.append(f"by {item['department']}")
        if item["code"]:
            parts.append(f"({item['code']})")
        if item["status"]:
            parts.append(f"-> {item['status']}")
        return " ".join(parts) + (f": {item['detail']}" if item["detail"] else "")
    if kind == "crm_contact":
        return base + (f" about {item['detail']}" if item["detail"] else "")
    if kind.startswith(("alarm_", "degradation_")):
        return base + cell + (f", {item['detail']}" if item["detail"] else "")
    if kind == "survey":
        verdict = item["status"] or "no verdict"
        return f"{base}: {verdict}" + (f", score {item['code']}" if item["code"] else "")
    return base + (f" ({item['code']})" if item["code"] else "")


def timeline_items(rows: list[tuple]) -> list[dict]:
    """Rows of `queries.TIMELINE` as dicts with a readable `summary`."""
    items = []
    for row in rows:
        item = dict(zip(TIMELINE_FIELDS, row, strict=True))
        item["summary"] = _readable(item)
        items.append(item)
    return items

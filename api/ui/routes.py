"""The pages: login, ticket search, a ticket, the auditors' workbench and its exports, the
Data Docs. Each page takes the caller from the session cookie (`session.py`); no session sends
the browser to the login page, a role that may not see a page gets a 403 page."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.staticfiles import StaticFiles

from api.listing import TicketFilter, at_risk, search_tickets
from api.reader import NoSnapshotError, Snapshot
from api.schemas import TICKET_ID_PATTERN
from api.trace import utc
from api.ui import audit_page
from api.ui.cache import snapshot_rows
from api.ui.ticket_page import ticket_page
from api.ui.web import INLINE_SCRIPT_POLICY, PREFIX, Page, page_for, safe_next, to_login
from complaint_trace.pii import mask_msisdn

router = APIRouter(prefix=PREFIX, include_in_schema=False)

MSISDN = re.compile(r"^\d{5,15}$")
TICKET_ID = re.compile(TICKET_ID_PATTERN)
SEARCH_LIMIT = 100
AT_RISK_PAGE = 100


def at_risk_levels(snapshot: Snapshot) -> list[int]:
    """The warning levels of the seed sla_warning_levels, as the pipeline applied them."""
    return [r[0] for r in snapshot_rows(snapshot, "select distinct warning_level_pct "
                                                  "from main.fct_sla_warnings where "
                                                  "warning_level_pct is not null order by 1")]


def _snapshot(request: Request) -> Snapshot:
    return request.app.state.reader.get()  # NoSnapshotError: the "nothing published" page


def _signed_in(request: Request, auditor: bool = False) -> Page | Response:
    page = page_for(request)
    if page.caller is None:
        return to_login(request)
    if auditor and not page.is_auditor:
        return page.error(403, page.lang._("Your role (%(role)s) may not open the audit "
                                           "workbench.", role=page.lang.value(page.caller.role)))
    return page


@router.get("/login")
def login_form(request: Request, next: str | None = None, expired: str | None = None):
    page = page_for(request)
    return page.render("login.html", next=safe_next(next), expired=bool(expired), failed=False)


@router.post("/login")
def login(request: Request, key: Annotated[str, Form(max_length=512)] = "",
          next: Annotated[str, Form(max_length=2048)] = PREFIX + "/"):
    target = safe_next(next)
    response = RedirectResponse(target, status_code=303)
    if request.app.state.ui_sessions.start(response, key.strip()) is None:
        page = page_for(request)
        return page.render("login.html", status=401, next=target, expired=False, failed=True)
    return response


@router.post("/logout")
def logout(request: Request):
    response = RedirectResponse(PREFIX + "/login", status_code=303)
    request.app.state.ui_sessions.end(response)
    return response


@router.get("/")
@router.get("")
def search_form(request: Request):
    page = _signed_in(request)
    if isinstance(page, Response):
        return page
    return page.render("search.html", q="", results=None, message=None)


# A POST, so that a phone number searched for never lands in a URL (proxy and access logs).
@router.post("/search")
def search(request: Request, q: Annotated[str, Form(max_length=64)] = ""):
    page = _signed_in(request)
    if isinstance(page, Response):
        return page
    query = q.strip()
    results, message = None, None
    if query:
        snapshot = _snapshot(request)
        if MSISDN.fullmatch(query):
            with snapshot.cursor() as cur:
                results, _ = search_tickets(cur, TicketFilter(msisdn=query), None, SEARCH_LIMIT,
                                            newest_first=True)
            for item in results:
                item["created_at"] = utc(item["created_at"])
                if not page.caller.sees_pii:
                    item["msisdn"] = mask_msisdn(item["msisdn"])
        if not results and TICKET_ID.fullmatch(query) and snapshot.docs.get(query) is not None:
            return RedirectResponse(f"{PREFIX}/tickets/{query}", status_code=303)
        if not results:
            message = page.lang._("No ticket with number or phone number %(q)s.", q=query)
    return page.render("search.html", q=query, results=results, message=message)


@router.get("/at-risk")
def at_risk_list(request: Request, level: str | None = None, department: str | None = None,
                 cursor: str | None = None):
    page = _signed_in(request)
    if isinstance(page, Response):
        return page
    snapshot = _snapshot(request)
    chosen = int(level) if level and level.isdigit() and 0 < int(level) <= 100 else None
    department = (department or "").strip() or None
    with snapshot.cursor() as cur:
        items, nxt = at_risk(cur, chosen, department, cursor, AT_RISK_PAGE)
    query = {k: v for k, v in (("level", level), ("department", department)) if v}
    return page.render("at_risk.html", items=items, next_cursor=nxt, level=chosen,
                       department=department, query=query, snapshot=snapshot,
                       levels=at_risk_levels(snapshot),
                       departments=audit_page.departments(snapshot))


@router.get("/tickets/{ticket_id}")
def ticket(request: Request, ticket_id: Annotated[str, Path(max_length=64)]):
    page = _signed_in(request)
    if isinstance(page, Response):
        return page
    snapshot = _snapshot(request)
    view = ticket_page(snapshot, ticket_id, page.caller, page.lang) \
        if TICKET_ID.fullmatch(ticket_id) else None
    if view is None:
        return page.error(404, page.lang._("No ticket %(id)s in the served snapshot.",
                                           id=ticket_id))
    return page.render("ticket.html", view=view, snapshot=snapshot,
                       docs=_docs_links(request) if page.is_auditor else {})


def _docs_links(request: Request) -> dict[str, str]:
    from quality_checks.data_docs import latest_validation_pages

    try:
        pages = latest_validation_pages(request.app.state.settings.data_docs_dir)
    except OSError:
        return {}
    return {name: f"{PREFIX}/data-docs/{path}" for name, path in pages.items()}


def _audit_context(request: Request, page: Page) -> dict:
    snapshot = _snapshot(request)
    rules = audit_page.rule_catalog(snapshot)
    params = dict(request.query_params)
    context = {"rules": rules, "departments": audit_page.departments(snapshot),
               "severities": audit_page.SEVERITIES, "params": params, "snapshot": snapshot,
               "docs": _docs_links(request), "error": None}
    try:
        context["flt"] = audit_page.parse_filter(params, snapshot, rules)
    except audit_page.FilterError as exc:
        context["error"] = str(exc)
    return context


@router.get("/audit")
def audit(request: Request, cursor: str | None = None):
    page = _signed_in(request, auditor=True)
    if isinstance(page, Response):
        return page
    context = _audit_context(request, page)
    if context["error"]:
        return page.render("audit.html", status=422, **context)
    snapshot, flt = context["snapshot"], context["flt"]
    result = audit_page.summary(snapshot, flt)
    findings, nxt = audit_page.findings_page(
        snapshot, flt, cursor, request.app.state.settings.ui_page_size, page.caller,
        page.lang)
    query = {k: v for k, v in context["params"].items() if k not in ("cursor", "lang") and v}
    return page.render("audit.html", result=result, findings=findings, next_cursor=nxt,
                       chart=audit_page.chart_data(result, context["rules"], page.lang),
                       query=query, **context)


def _audit_filter(request: Request) -> tuple[Page, dict] | Response:
    """An auditor's page and its filter context, or the answer when either is wanting (no
    session, a role below auditor, a filter that cannot be used)."""
    page = _signed_in(request, auditor=True)
    if isinstance(page, Response):
        return page
    context = _audit_context(request, page)
    if context["error"]:
        return page.error(422, context["error"])
    return page, context


@router.get("/audit/daily")
def audit_daily(request: Request):
    found = _audit_filter(request)
    if isinstance(found, Response):
        return found
    page, context = found
    result = audit_page.summary(context["snapshot"], context["flt"])
    query = {k: v for k, v in context["params"].items() if k != "lang" and v}
    return page.render("audit_daily.html", result=result, flt=context["flt"], query=query)


def _export(request: Request, kind: str):
    found = _audit_filter(request)
    if isinstance(found, Response):
        return found
    page, context = found
    snapshot, flt = context["snapshot"], context["flt"]
    name = f"findings-{flt.day_from or 'all'}-{flt.day_to or 'all'}"
    if kind == "csv":
        return StreamingResponse(
            audit_page.export_csv(snapshot, flt, page.caller, page.lang),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                     "Cache-Control": "no-store"})
    body = audit_page.export_xlsx(snapshot, flt, page.caller, page.lang)
    return Response(body, media_type="application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"',
                             "Cache-Control": "no-store"})


@router.get("/audit/findings.csv")
def export_csv(request: Request):
    return _export(request, "csv")


@router.get("/audit/findings.xlsx")
def export_xlsx(request: Request):
    return _export(request, "xlsx")


@router.get("/data-docs/{path:path}")
async def data_docs(request: Request, path: str):
    page = _signed_in(request, auditor=True)
    if isinstance(page, Response):
        return page
    docs = StaticFiles(directory=request.app.state.settings.data_docs_dir, html=True,
                       check_dir=False)
    try:
        response = await docs.get_response(path or "index.html", request.scope)
    except Exception:  # starlette raises HTTPException(404) for a missing file
        return page.error(404, page.lang._("No Data Docs page %(path)s: has an audit run?",
                                           path=path))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = INLINE_SCRIPT_POLICY
    return response


def no_snapshot_page(request: Request, exc: NoSnapshotError) -> Response:
    page = page_for(request)
    return page.error(503, page.lang._("Nothing is published yet: run the pipeline first "
                                       "(%(reason)s).", reason=str(exc)))

"""What every page shares: the templates, the caller's language, the signed-in user and the
HTML answers for errors (the API's own errors stay JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.security import CAN_READ_AUDIT, Caller
from api.ui.i18n import LANG_COOKIE, LOCALES, Language, negotiate
from api.ui.session import Sessions

PREFIX = "/ui"
# Pages load only what this server serves: with no internet on the operators' network, a
# request elsewhere could only fail, and the policy makes the browser not even try. Styles
# may be inline (the charts set them); scripts only from files here.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' "
                           "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# Data Docs and the API docs pages run inline scripts of their own (GX, Swagger UI, ReDoc).
INLINE_SCRIPT_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:")
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)


def json_script(value: object) -> Markup:
    """`value` as JSON safe inside a `<script type="application/json">` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("&", "\\u0026"))


TEMPLATES.filters["json_script"] = json_script


@dataclass(frozen=True)
class Page:
    """One request's context: its language and who is signed in."""

    request: Request
    lang: Language
    caller: Caller | None

    @property
    def is_auditor(self) -> bool:
        return self.caller is not None and self.caller.role in CAN_READ_AUDIT

    def render(self, template: str, status: int = 200, **context: object) -> HTMLResponse:
        html = TEMPLATES.get_template(template).render(
            page=self, _=self.lang._, lang=self.lang, locales=LOCALES, **context)
        response = HTMLResponse(html, status_code=status)
        chosen = self.request.query_params.get("lang")
        if chosen and chosen.replace("-", "_") in LOCALES:  # the switch sticks
            response.set_cookie(LANG_COOKIE, chosen.replace("-", "_"), max_age=365 * 86400,
                                samesite="strict", path=PREFIX)
        # pages show personal data and findings: never cached by a shared proxy or the browser
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    def error(self, status: int, message: str) -> HTMLResponse:
        return self.render("error.html", status=status, status_code=status, message=message)

    def switch_url(self, locale: str) -> str:
        params = dict(self.request.query_params)
        params["lang"] = locale
        return self.request.url.path + "?" + "&".join(
            f"{quote(k)}={quote(v)}" for k, v in params.items())


def is_page(request: Request) -> bool:
    """A request for one of the pages: its errors are pages too (the API's stay JSON)."""
    return request.url.path == PREFIX or request.url.path.startswith(PREFIX + "/")


def page_for(request: Request) -> Page:
    sessions: Sessions = request.app.state.ui_sessions
    zone = ZoneInfo(request.app.state.settings.source_tz)
    return Page(request, Language(negotiate(request), zone), sessions.state(request).caller)


def to_login(request: Request) -> Response:
    """Back to the login page, then to where the user was going."""
    state = request.app.state.ui_sessions.state(request)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    reason = "&expired=1" if state.expired else ""
    return RedirectResponse(f"{PREFIX}/login?next={quote(target)}{reason}", status_code=303)


def safe_next(target: str | None) -> str:
    """Only a page of this service (no open redirect to another site)."""
    if target and target.startswith(PREFIX + "/") and not target.startswith("//") \
            and "\\" not in target and "://" not in target:
        return target
    return PREFIX + "/"

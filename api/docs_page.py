"""`/docs` and `/redoc`: the API's documentation with every asset from this server.

The operators' internal network has no internet: FastAPI's default pages load their scripts,
styles, fonts and favicon from CDNs and are blank there. Swagger UI comes from the locked
`swagger-ui-bundle` package, its validator badge (a request to validator.swagger.io) off;
ReDoc's standalone bundle from the npm package `redoc` (web/package.json), without Google Fonts.
"""

from __future__ import annotations

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.ui.web import INLINE_SCRIPT_POLICY

STATIC = "/static/swagger-ui"


def install(app: FastAPI) -> None:
    app.mount(STATIC, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def read_docs() -> HTMLResponse:
        """The interactive API documentation, every asset from this server."""
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{app.title} — docs",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers["Content-Security-Policy"] = INLINE_SCRIPT_POLICY
        return page

    @app.get("/redoc", include_in_schema=False)
    async def read_redoc() -> HTMLResponse:
        """The API reference as one readable page, every asset from this server."""
        # the policy also stops ReDoc's footer logo, hard-wired to cdn.redoc.ly, from being
        # fetched (ReDoc hides it when it does not load)
        page = get_redoc_html(openapi_url=app.openapi_url, title=f"{app.title} — reference",
                              redoc_js_url="/ui/vendor/redoc.standalone.js",
                              redoc_favicon_url=f"{STATIC}/favicon-32x32.png",
                              with_google_fonts=False)
        page.headers["Content-Security-Policy"] = INLINE_SCRIPT_POLICY
        return page

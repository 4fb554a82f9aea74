"""`/docs`: Swagger UI served from the locked `swagger-ui-bundle` package, not from a CDN.

The operators' internal network has no internet: FastAPI's default page loads its script and
styles from jsDelivr and is blank there. The validator badge (a request to validator.swagger.io)
is switched off for the same reason. ReDoc, which only a CDN provides, is not served.
"""

from __future__ import annotations

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = "/static/swagger-ui"


def install(app: FastAPI) -> None:
    app.mount(STATIC, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    async def read_docs() -> HTMLResponse:
        """The interactive API documentation, every asset from this server."""
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title=f"{app.title} — docs",
            swagger_js_url=f"{STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

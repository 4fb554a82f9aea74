"""`/docs` draws with no network: every script, style and icon it names is served here."""

from __future__ import annotations

import re


def test_the_docs_page_loads_nothing_from_outside(client) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert len(assets) >= 3
    assert not [a for a in assets if not a.startswith("/")], assets
    assert not re.search(r"https?://", page.text)  # no CDN, no validator badge
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404  # ReDoc would need a CDN

"""`/docs` and `/redoc` draw with no network: every script, style and icon they name is served
here (the browser tests in tests/ui also count the requests a real browser makes: 0)."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize(("path", "marker"), [("/docs", "swagger-ui"), ("/redoc", "<redoc")])
def test_the_docs_pages_load_nothing_from_outside(client, path: str, marker: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and marker in page.text
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert len(assets) >= 2
    assert not [a for a in assets if not a.startswith("/")], assets
    assert not re.search(r"https?://", page.text)  # no CDN, no validator badge, no web fonts
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    # the browser is told not to fetch from elsewhere (ReDoc's footer logo is hard-wired to
    # its CDN)
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/openapi.json").status_code == 200

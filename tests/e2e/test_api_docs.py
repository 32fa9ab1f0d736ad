"""The interactive API documentation works offline: Swagger UI and Redoc served from our
static files (drf-spectacular-sidecar), and no request of theirs leaves this machine — no
CDN, no Google Fonts, no logo or validator badge from elsewhere.

The page fixture bypasses the Content Security Policy (which would block such a request
in the browser anyway): here nothing is even asked for."""

from urllib.parse import urlsplit

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def record_requests(page) -> list[str]:
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def outside(urls: list[str], live_server) -> list[str]:
    """The requests to another host than this machine's test server (data: and blob:
    URLs have none)."""
    local = {"127.0.0.1", "localhost", urlsplit(live_server.url).hostname}
    return [
        url
        for url in urls
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
        and urlsplit(url).hostname not in local
    ]


def test_swagger_ui_renders_the_schema_without_internet(live_server, page):
    urls = record_requests(page)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=10000)
    assert "CPIE Naturaliste API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock-tag", has_text="occurrences").count() >= 1
    page.wait_for_load_state("networkidle")
    assert urls and outside(urls, live_server) == []
    assert not page.errors and not page.failed_requests


def test_redoc_renders_the_schema_without_internet(live_server, page):
    urls = record_requests(page)
    response = page.goto(f"{live_server.url}/api/redoc/")
    html = response.text()
    for elsewhere in ("fonts.googleapis", "fonts.gstatic", "cdn.", "jsdelivr"):
        assert elsewhere not in html
    page.wait_for_selector("h1", state="attached", timeout=60000)
    assert "CPIE Naturaliste API" in page.inner_text("h1")
    page.get_by_role("menuitem", name="occurrences").first.wait_for(timeout=10000)
    # The sidebar's Redocly logo (cdn.redoc.ly) comes last, once the menu is mounted.
    page.wait_for_load_state("networkidle")
    assert urls and outside(urls, live_server) == []
    assert not page.errors and not page.failed_requests

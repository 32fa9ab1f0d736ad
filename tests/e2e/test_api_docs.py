"""The interactive API documentation works offline: Swagger UI served from our static files."""

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_swagger_ui_renders_the_schema_without_internet(live_server, page):
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(request.url.split("/")[2]))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=10000)
    assert "CPIE Naturaliste API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock-tag", has_text="occurrences").count() >= 1
    assert requested_hosts == {live_server.url.split("/")[2]}
    assert not page.errors and not page.failed_requests

"""Browser fixtures for end-to-end tests: headless Debian Chromium driven by Playwright.

``page`` is a fresh tab that records page errors and failed requests, and saves a
screenshot to ``test-artifacts/`` when its test fails. Tests using it need ``live_server``
and ``@pytest.mark.django_db(transaction=True, serialized_rollback=True)`` (without
serialized_rollback the flush after the test also removes the rows of the data
migrations, which the next tests of the worker expect).

Why Playwright lives exactly as long as one test: its sync API keeps an asyncio loop
running in the test thread. While it runs, Django refuses ORM calls unless
DJANGO_ALLOW_ASYNC_UNSAFE is set (STACK gotcha 11), and Django's connections become
local to that loop's context instead of the thread: a loop left running (session-scoped
browser) hands later tests connections that lack the test database's serialized state,
and breaks their rollbacks. So ``browser`` starts after the test database is ready, stops
before it is flushed, and sets the variable only meanwhile (never in a subprocess of a
later test, where ``manage.py check --deploy`` refuses it).
"""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
# The one tile every background map gets in the tests (no internet needed).
FIXTURE_TILE = Path(__file__).resolve().parent / "fixtures" / "tile.png"


def tile_host_pattern() -> re.Pattern:
    """The configured tile hosts (the CSP's img-src list, settings/maps.py) as one regex."""
    from cpie_naturaliste.settings.maps import tile_hosts

    hosts = tile_hosts(settings.LEAFLET_CONFIG["TILES"]) or [
        "https://no-tile-host.invalid"
    ]
    return re.compile(
        "^(?:"
        + "|".join(re.escape(host).replace(r"\*", "[^/]+") for host in hosts)
        + ")/"
    )


class NetworkWatch:
    """The requests a tab made that have not answered or failed yet.

    Instead of Playwright's "networkidle" (no request for 500 ms): a page whose maps and
    offline data keep fetching may never give it on a loaded machine, and every page waits
    the 500 ms. ``settled`` waits until nothing is pending and stays so for ``quiet``
    seconds (a chained request starts as soon as the one before it answers), and names
    the requests still pending when ``timeout`` is reached."""

    def __init__(self, page):
        self.page = page
        self.pending = set()
        page.on("request", lambda request: self.pending.add(request))
        page.on("requestfinished", lambda request: self.pending.discard(request))
        page.on("requestfailed", lambda request: self.pending.discard(request))

    def settled(self, *, quiet: float = 0.1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        calm_since = None
        while True:
            now = time.monotonic()
            if self.pending:
                calm_since = None
            elif calm_since is None:
                calm_since = now
            if calm_since is not None and now - calm_since >= quiet:
                return
            if now > deadline:
                urls = sorted(request.url for request in self.pending)
                raise AssertionError(
                    f"requêtes sans réponse après {timeout} s : {urls}"
                )
            self.page.wait_for_timeout(20)


class TileRoute:
    """Answers every request to a tile host with the fixture tile, or with a network
    failure (as offline) while ``fail`` is set; ``requested`` lists the URLs asked."""

    def __init__(self, context):
        self.fail = False
        self.requested: list[str] = []
        self.tile = FIXTURE_TILE.read_bytes()
        context.route(tile_host_pattern(), self.handle)

    def handle(self, route):
        self.requested.append(route.request.url)
        if self.fail:
            route.abort("internetdisconnected")
        else:
            route.fulfill(status=200, content_type="image/png", body=self.tile)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Expose each phase's report on the test item, so the page fixture knows if it failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(transactional_db, monkeypatch):
    """Headless Chromium for one test (about 0.3 s to start)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The app's service worker needs no flag for its requests to go through the context's
    # routes and offline switch: Playwright 1.65 attaches to it by default (the former
    # PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS is no longer read).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            # The ORM calls made while the loop ran opened connections of its context:
            # close them, or they outlive the test and block the database teardown.
            connections.close_all()
            browser.close()


@pytest.fixture
def page(browser, request):
    """A new browser tab with ``page.errors`` (uncaught JS errors and console errors) and
    ``page.failed_requests`` (network failures and HTTP status >= 400).

    The Content Security Policy is bypassed here: Playwright's ``wait_for_function``
    evaluates its predicate with ``eval``, which the policy forbids. tests/e2e/test_csp.py
    opens the pages under the real policy."""
    context = browser.new_context(
        locale="fr-FR",
        viewport={"width": 1280, "height": 800},
        bypass_csp=True,
    )
    page = context.new_page()
    page.tiles = TileRoute(context)
    page.errors = []
    page.failed_requests = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: message.type == "error" and page.errors.append(message.text),
    )
    # A request the page cancels itself (net::ERR_ABORTED: a map layer still loading
    # when the user moves on) is no failure.
    page.on(
        "requestfailed",
        lambda req: (
            "ERR_ABORTED" not in (req.failure or "")
            and page.failed_requests.append(f"{req.url} ({req.failure})")
        ),
    )
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and page.failed_requests.append(f"{response.url} (HTTP {response.status})")
        ),
    )
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()

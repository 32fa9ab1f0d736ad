"""The main pages under the real Content Security Policy in Chromium: no violation (a
blocked inline script or eval shows as a console error), no script error."""

import pytest
from django.urls import reverse

from referentiel.models import Role
from tests.e2e.conftest import NetworkWatch, TileRoute
from tests.factories.referentiel import CommuneFactory, OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = [
    "home",
    "observations:occurrence_list",
    "observations:occurrence_create",
    "observations:extract_list",
    "observations:atlas",
    "baguage:session_list",
    "baguage:ring_stock",
]


def test_main_pages_run_under_the_policy(browser, live_server):
    CommuneFactory()
    organisation = OrganisationFactory(name="CPIE Chaîne des Terrils")
    user = UserFactory(
        username="coordination",
        organisation=organisation,
        roles=[Role.COORDINATEUR],
        is_regional=True,
    )
    user.set_password("mot-de-passe-csp")
    user.save()
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    tiles = TileRoute(context)
    problems = []
    network = NetworkWatch(page)
    page.on("pageerror", lambda error: problems.append(f"erreur : {error}"))
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(message.text),
    )
    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", "coordination")
    page.fill("input[name=password]", "mot-de-passe-csp")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "connexion" not in url)
    for name in PAGES:
        response = page.goto(live_server.url + reverse(name))
        assert response.status == 200, name
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # The page loaded and what its scripts asked answered (NetworkWatch: not
        # "networkidle", which a loaded machine may never give these pages).
        page.wait_for_load_state("load")
        network.settled(quiet=0, timeout=20)
    context.close()
    assert problems == []
    # The background maps' tiles were let through by img-src (a blocked image never
    # reaches the route that answers with the fixture tile).
    assert any("data.geopf.fr" in url for url in tiles.requested)

"""The home map in headless Chromium: sites drawn over the offline outline, sign in/out."""

import pytest
from django.contrib.gis.geos import GEOSGeometry

from referentiel.models import Role
from referentiel.services.territories import site_save
from tests.e2e.conftest import TileRoute
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    OrganisationFactory,
    SiteFactory,
    UserFactory,
    square,
)

# serialized_rollback: the flush after a transactional test would otherwise also wipe the
# rows of the data migrations (role groups, atlas groups, nomenclatures) for later tests.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SITE_PATHS = "#site-map .leaflet-overlay-pane path"
OUTLINE_PATHS = "#site-map .leaflet-outline-pane path"


def point(dx: float, dy: float) -> GEOSGeometry:
    return GEOSGeometry(f"SRID=2154;POINT({LOOS_X + dx} {LOOS_Y + dy})")


@pytest.fixture
def demo_sites(organisation):
    CommuneFactory()
    for site in (
        SiteFactory.build(
            name="Terrils jumeaux du 11/19",
            kind="terril",
            geom=square(LOOS_X - 300, LOOS_Y - 300, 600),
        ),
        SiteFactory.build(
            name="Roselière du 11/19", kind="zone_humide", geom=point(800, 0)
        ),
        SiteFactory.build(
            name="Jardin privé de Loos",
            kind="jardin",
            is_public=False,
            # A protected site: shown to the organisation that manages it (Claire's).
            manager=organisation,
            geom=point(-900, 500),
        ),
    ):
        site_save(site=site)


@pytest.fixture
def claire():
    return UserFactory(
        username="claire",
        first_name="Claire",
        last_name="Dumont",
        organisation=OrganisationFactory(
            name="CPIE Chaîne des Terrils", short_name="CPIE CdT", kind="cpie"
        ),
        roles=[Role.SAISIE],
    )


def wait_for_sites(page, count: int) -> None:
    page.wait_for_function(
        "([selector, count]) => document.querySelectorAll(selector).length === count",
        arg=[SITE_PATHS, count],
    )


def test_home_map_draws_the_sites_and_follows_the_login(
    live_server, page, demo_sites, claire
):
    page.goto(f"{live_server.url}/")
    # Anonymous: the two public sites over the five départements of the outline.
    wait_for_sites(page, 2)
    page.wait_for_function(
        "selector => document.querySelectorAll(selector).length === 5",
        arg=OUTLINE_PATHS,
    )
    assert page.evaluate("L.version") == "1.9.3"
    # The map's controls are named in French.
    assert page.get_by_role("button", name="Zoom avant").count() == 1
    assert page.get_by_role("button", name="Zoom arrière").count() == 1
    assert "2 sites sur la carte" in page.locator("#site-map-status").inner_text()
    assert page.locator(".site-list").get_by_text("Jardin privé de Loos").count() == 0

    # The list beside the map opens the site's popup, with its computed commune.
    page.get_by_role("button", name="Terrils jumeaux du 11/19").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Terrils jumeaux du 11/19" in popup.inner_text()
    assert "Terril" in popup.inner_text()
    assert "Loos-en-Gohelle" in popup.inner_text()

    # Sign in through the form: the header names the user, the private site appears.
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Identifiant").fill("claire")
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    badge = page.get_by_test_id("user-badge")
    assert "Claire Dumont" in badge.inner_text()
    assert "CPIE CdT" in badge.inner_text()
    wait_for_sites(page, 3)

    # Sign out: back to the public map.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/")
    wait_for_sites(page, 2)
    assert page.get_by_test_id("user-badge").count() == 0

    assert page.failed_requests == []
    assert page.errors == []


def test_home_map_works_on_a_phone(live_server, browser, demo_sites):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    TileRoute(context)
    try:
        page.goto(f"{live_server.url}/")
        wait_for_sites(page, 2)
        # The menu folds behind its button and opens on tap.
        assert not page.get_by_role("link", name="Se connecter").is_visible()
        page.get_by_role("button", name="Menu").tap()
        assert page.get_by_role("link", name="Se connecter").is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "la page déborde horizontalement sur un téléphone"
    finally:
        context.close()

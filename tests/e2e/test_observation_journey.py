"""An observation's journey in headless Chromium on a phone-sized window: a staff member
enters it (taxon autocomplete, a tap on the map), finds it on the list and on the map, a
validator validates it from the queue, and the API serves it as GeoJSON in WGS84.

DJANGO_ALLOW_ASYNC_UNSAFE (STACK gotcha 11) is set by the ``browser`` fixture of
tests/e2e/conftest.py for the duration of each test only: setting it at import time would
leak into later tests of the session (``manage.py check --deploy`` refuses it)."""

import json

import pytest
from django.utils import timezone

from observations.models import Occurrence
from referentiel.models import AtlasGroup, Role
from tests.factories.referentiel import (
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    TaxonFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "motdepasse-de-test"
PHONE = {"width": 390, "height": 844}
# Hauts-de-France with its margin, in degrees.
REGION = {"lon": (1.3, 4.3), "lat": (48.8, 51.2)}


@pytest.fixture
def people():
    """A field worker and a validator of amphibians in the same CPIE, a dataset, the frog."""
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    amphibians = AtlasGroup.objects.get(code="amphibiens")
    claire = UserFactory(
        username="claire",
        first_name="Claire",
        last_name="Dumont",
        organisation=cpie,
        roles=[Role.SAISIE],
    )
    PersonFactory(
        user=claire, first_name="Claire", last_name="Dumont", organisation=cpie
    )
    antoine = UserFactory(
        username="antoine",
        first_name="Antoine",
        last_name="Lemaire",
        organisation=cpie,
        roles=[Role.VALIDATEUR],
    )
    antoine.validation_groups.add(amphibians)
    DatasetFactory(producer=cpie, title="Inventaires amphibiens")
    TaxonFactory(
        cd_nom=351,
        scientific_name="Rana temporaria",
        vernacular_name="Grenouille rousse",
        atlas_group=amphibians,
    )
    CommuneFactory()
    return claire, antoine


def log_in(page, base: str, username: str, path: str) -> None:
    page.goto(f"{base}/connexion/?next={path}")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}{path}")


def log_out(page, base: str) -> None:
    page.get_by_role("button", name="Menu").click()  # the phone menu is folded
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{base}/")
    # Let the home map's requests end before leaving the page.
    page.wait_for_load_state("networkidle")


def wait_for_map(page, selector: str) -> None:
    """The offline outline is drawn and no zoom animation is running."""
    page.wait_for_function(
        "sel => document.querySelectorAll(sel + ' .leaflet-outline-pane path').length"
        " === 5 && !document.querySelector(sel + '.leaflet-zoom-anim')",
        arg=selector,
    )


def test_enter_list_map_validate_and_serve_an_observation(live_server, page, people):
    base = live_server.url
    page.set_viewport_size(PHONE)

    # A staff member enters a common frog on her phone.
    log_in(page, base, "claire", "/observations/nouvelle/")
    taxon = page.get_by_role("combobox", name="Taxon")
    taxon.fill("gren")
    option = page.get_by_role("option", name="Rana temporaria — Grenouille rousse")
    option.click()
    assert page.locator("input[name=taxon]").input_value() == "351"
    assert taxon.input_value() == "Rana temporaria — Grenouille rousse"
    wait_for_map(page, "#entry-map")
    page.locator("#entry-map").click()  # a tap in the middle of the region
    # Too coarse a zoom to place a point within 100 m: zoom in first, then tap.
    assert page.locator("input[name=geometry]").input_value() == ""
    page.get_by_role("button", name="Zoomer ici").click()
    wait_for_map(page, "#entry-map")
    page.locator("#entry-map").click()
    geometry = json.loads(page.locator("input[name=geometry]").input_value())
    assert geometry["type"] == "Point"
    assert page.locator("input[name=coord_y]").input_value().startswith(("49", "50"))
    assert (
        page.get_by_label("Date", exact=True).input_value()
        == timezone.localdate().isoformat()
    )
    assert page.get_by_label("DUMONT Claire", exact=True).is_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "le formulaire déborde sur un téléphone"
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(f"{base}/observations/*/")
    assert "Observation enregistrée." in page.locator(".messages").inner_text()
    assert "Rana temporaria" in page.locator("h1").inner_text()
    occurrence = Occurrence.objects.get()
    assert occurrence.created_by.username == "claire"
    assert occurrence.validation_status == 0

    # She finds it in the list and on the map.
    page.goto(f"{base}/observations/")
    row = page.locator(f"tr[data-uuid='{occurrence.uuid}']")
    assert "Rana temporaria" in row.inner_text()
    assert "En attente de validation" in row.inner_text()
    page.wait_for_selector("#occurrence-map[data-state=ready]")
    # One record in the view (a point near a tile's edge is drawn by both tiles, at the
    # same place: count the records the map shows, not the SVG paths).
    shown = page.evaluate(
        "() => document.getElementById('occurrence-map').cpieOccurrences.records"
        ".map((r) => r.properties.uuid)"
    )
    assert shown == [str(occurrence.uuid)]
    assert page.locator("#occurrence-map path.occurrence-marker").count() >= 1
    assert (
        "1 observation dans la vue"
        in page.locator("#occurrence-map-status").inner_text()
    )
    log_out(page, base)

    # A validator of amphibians validates it from the queue.
    log_in(page, base, "antoine", "/observations/validation/")
    queue_row = page.locator(f"tr[data-uuid='{occurrence.uuid}']")
    queue_row.locator("input[name=occurrences]").check()
    page.get_by_label("Statut de validation").select_option("1")
    page.get_by_label("Commentaire de validation").fill("Photo vue")
    page.get_by_role("button", name="Valider la sélection").click()
    page.wait_for_url(f"{base}/observations/validation/")
    assert "1 observation validée" in page.locator(".messages").inner_text()
    occurrence.refresh_from_db()
    assert occurrence.validation_status == 1
    assert occurrence.validator.username == "antoine"

    # The API serves it as GeoJSON in WGS84.
    response = page.request.get(f"{base}/api/v1/occurrences/geojson/")
    assert response.ok
    body = response.json()
    assert body["type"] == "FeatureCollection" and body["aggregated"] is False
    (feature,) = body["features"]
    assert feature["properties"]["uuid"] == str(occurrence.uuid)
    assert feature["properties"]["validation_status"] == 1
    lon, lat = feature["geometry"]["coordinates"]
    assert REGION["lon"][0] < lon < REGION["lon"][1]
    assert REGION["lat"][0] < lat < REGION["lat"][1]

    assert page.errors == []
    assert page.failed_requests == []


def test_gps_position_lambert93_and_a_drawn_line(live_server, page, people):
    base = live_server.url
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation(
        {"latitude": 50.4577, "longitude": 2.7785, "accuracy": 14}
    )
    log_in(page, base, "claire", "/observations/nouvelle/")
    page.get_by_role("combobox", name="Taxon").fill("rana tem")
    page.get_by_role("option", name="Rana temporaria — Grenouille rousse").click()

    # An absence counts 0; back to a presence, the count is 1 again.
    count = page.get_by_label("Dénombrement maximal")
    page.get_by_text("Non observé (absence)").click()
    assert count.input_value() == "0" and count.get_attribute("readonly") is not None
    page.get_by_text("Présent", exact=True).click()
    assert count.input_value() == "1"

    # "Ma position": the GPS fills the point and its precision.
    page.get_by_role("button", name="Ma position").click()
    page.wait_for_function(
        "document.querySelector('input[name=precision_m]').value === '14'"
    )
    assert page.locator("input[name=coord_x]").input_value() == "2,778500"
    # The same point in Lambert-93, as PROJ computes it (684 247.6 m, 7 040 049.5 m).
    page.get_by_label("Système de coordonnées").select_option("l93")
    assert page.locator("input[name=coord_x]").input_value() == "684248"
    assert page.locator("input[name=coord_y]").input_value() == "7040050"

    # A line of two taps instead.
    page.get_by_role("button", name="Ligne").click()
    wait_for_map(page, "#entry-map")
    page.locator("#entry-map").click(position={"x": 120, "y": 120})
    line = json.loads(page.locator("input[name=geometry]").input_value())
    assert line["type"] == "LineString" and len(line["coordinates"]) == 2
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(f"{base}/observations/*/")
    occurrence = Occurrence.objects.get()
    assert occurrence.geom.geom_type == "LineString" and occurrence.precision_m == 14
    assert page.errors == []
    assert page.failed_requests == []

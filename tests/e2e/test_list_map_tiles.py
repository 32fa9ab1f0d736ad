"""The observation list's map reads the vector tiles (``/api/v1/occurrences/tiles/…mvt``,
drawn by Leaflet.VectorGrid; issue 21), in headless Chromium, desktop and 320 px phone.

One record of the eagle owl (sensitive: level 2, its 10 km cell) entered by a CPIE, one
common record elsewhere. The CPIE's coordinator sees the owl's point, a partner of another
organisation only a dashed ring at its blurred cell's centre: what the map draws (its SVG paths, and the features the
page read from the tiles, ``#occurrence-map.cpieOccurrences``) is checked for each, with the
popup's link to the record, the tile URLs carrying the page's filters and no GeoJSON layer
asked for. Zoomed out, the records are counted in cells, written in the table under the map.
axe-core audits the page with the map drawn."""

import re

import pytest
from django.contrib.gis.geos import Point

from observations.models import Occurrence
from observations.services import occurrences_refresh_sensitivity
from referentiel.models import Role, SensitivityRule
from tests.e2e.axe import DESKTOP, PHONE, audit, axe_source
from tests.e2e.test_observation_journey import log_in
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OWL = 3493
PLACE = (LOOS_X + 100, LOOS_Y + 100)
# 45 km east of the owl: another 10 km cell, whatever the zoom's cell size.
ELSEWHERE = (LOOS_X + 45000, LOOS_Y - 5000)
# What the page read from the tiles it drew, for the view.
SHOWN = """() => {
  const shown = document.getElementById("occurrence-map").cpieOccurrences;
  const box = (b) => [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
  return {
    records: shown.records.map((r) => ({
      uuid: r.properties.uuid, blurred: r.properties.blurred, point: r.point,
      taxon: r.properties.taxon_name, box: box(r.bounds),
    })),
    cells: shown.cells.map((c) => ({count: c.properties.count, size: c.properties.cell_size_m})),
  };
}"""


@pytest.fixture
def world():
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", short_name="CPIE CdT")
    other = OrganisationFactory(name="Eden 62", short_name="Eden 62")
    UserFactory(username="coord", organisation=cpie, roles=[Role.COORDINATEUR])
    UserFactory(username="partenaire", organisation=other, roles=[Role.PARTENAIRE])
    CommuneFactory()
    dataset = DatasetFactory(producer=cpie, is_public=True)
    owl = TaxonFactory(
        cd_nom=OWL, scientific_name="Bubo bubo", vernacular_name="Hibou grand-duc"
    )
    SensitivityRule.objects.create(taxon=owl, level=2)
    sensitive = OccurrenceFactory(
        taxon=owl, dataset=dataset, geom=Point(*PLACE, srid=2154), validation_status=1
    )
    common = OccurrenceFactory(
        taxon=TaxonFactory(),
        dataset=dataset,
        geom=Point(*ELSEWHERE, srid=2154),
        validation_status=2,
    )
    occurrences_refresh_sensitivity()
    sensitive.refresh_from_db()
    assert sensitive.sensitivity_level == 2
    return {"sensitive": sensitive, "common": common}


def _tile_requests(page) -> list[str]:
    requests = []
    page.on(
        "request",
        lambda request: (
            ("/api/v1/occurrences/" in request.url) and requests.append(request.url)
        ),
    )
    return requests


def _open_list(page, base, username, query):
    requests = _tile_requests(page)
    page.context.add_init_script(script=axe_source())
    log_in(page, base, username, f"/observations/{query}")
    page.wait_for_selector("#occurrence-map[data-state=ready]", timeout=60000)
    return requests, page.evaluate(SHOWN)


def _click_middle(page, locator):
    """A click where a user taps (the topmost element there receives it: a record near a
    tile's edge is drawn in both tiles)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _popup(page):
    """The open popup, once faded in (axe would read its colours half transparent)."""
    page.wait_for_function(
        "() => { const p = document.querySelector('.leaflet-popup');"
        " return p && getComputedStyle(p).opacity === '1'; }"
    )
    return page.locator(".leaflet-popup-content")


def _assert_tiles_only(requests, query):
    tiles = [url for url in requests if re.search(r"/tiles/\d+/\d+/\d+\.mvt", url)]
    assert tiles, requests
    # The page's filters, and only them, in every tile's URL.
    assert all(url.endswith(".mvt" + query) for url in tiles), tiles
    # The GeoJSON layer stays an API route, but the page no longer asks for it.
    assert not [url for url in requests if "/geojson/" in url]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_coordinator_sees_the_point_of_the_sensitive_record(
    live_server, page, world, size
):
    page.set_viewport_size(PHONE if size == "phone" else DESKTOP)
    base = live_server.url
    record = world["sensitive"]
    requests, shown = _open_list(page, base, "coord", f"?taxon={OWL}")
    _assert_tiles_only(requests, f"?taxon={OWL}")

    # The filter leaves the owl alone; the first views zoom from cells to its point.
    assert shown["cells"] == []
    (owl,) = shown["records"]
    assert owl["uuid"] == str(record.uuid)
    assert owl["point"] is True and owl["blurred"] is False
    west, south, east, north = owl["box"]
    lon, lat = record.geom.transform(4326, clone=True).coords
    assert abs(west - lon) < 1e-4 and abs(south - lat) < 1e-4
    status = page.locator("#occurrence-map-status").inner_text()
    assert status == "1 observation dans la vue."

    marker = page.locator("#occurrence-map path.occurrence-marker").first
    assert marker.is_visible()
    assert page.locator("#occurrence-map path.occurrence-marker--blurred").count() == 0
    _click_middle(page, marker)
    popup = _popup(page)
    assert "Bubo bubo — Hibou grand-duc" in popup.inner_text()
    assert "floutée" not in popup.inner_text()
    link = popup.get_by_role("link", name="Voir la fiche")
    assert link.get_attribute("href") == f"/observations/{record.uuid}/"

    violations = audit(page, label=page.url, role="coordinateur", size=size)
    assert violations == [], "\n".join(map(str, violations))
    assert page.errors == []
    assert page.failed_requests == []


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_partner_sees_only_the_blurred_cell_of_the_sensitive_record(
    live_server, page, world, size
):
    page.set_viewport_size(PHONE if size == "phone" else DESKTOP)
    base = live_server.url
    record = world["sensitive"]
    requests, shown = _open_list(page, base, "partenaire", f"?taxon={OWL}")
    _assert_tiles_only(requests, f"?taxon={OWL}")

    assert shown["cells"] == []
    (owl,) = shown["records"]
    assert owl["uuid"] == str(record.uuid)
    assert owl["point"] is True and owl["blurred"] is True
    # Drawn at its 10 km cell's centre (the cell's point on surface), kilometres from
    # the place, as a dashed ring; no plain marker anywhere.
    west, south, east, north = owl["box"]
    centre = record.blurred_geom.point_on_surface.transform(4326, clone=True)
    assert abs(west - centre.x) < 1e-4 and abs(south - centre.y) < 1e-4
    drawn = Point(west, south, srid=4326).transform(2154, clone=True)
    assert drawn.distance(record.geom) > 1000
    plain = "path.occurrence-marker:not(.occurrence-marker--blurred)"
    assert page.locator(f"#occurrence-map {plain}").count() == 0
    ring = page.locator("#occurrence-map path.occurrence-marker--blurred").first
    assert ring.is_visible()
    assert (
        "Observation floutée : cercle pointillé" in page.locator(".legend").inner_text()
    )

    # The popup says what the ring stands for and still leads to the record's sheet.
    _click_middle(page, ring)
    popup = _popup(page)
    assert "floutée à la maille de 10 km" in popup.inner_text()
    # The whole popup within the map, on a 320 px phone too (it overflowed its right edge).
    frame = page.locator("#occurrence-map").bounding_box()
    shown_box = page.locator(".leaflet-popup").bounding_box()
    assert frame["x"] <= shown_box["x"]
    assert shown_box["x"] + shown_box["width"] <= frame["x"] + frame["width"]
    assert (
        popup.get_by_role("link", name="Voir la fiche").get_attribute("href")
        == f"/observations/{record.uuid}/"
    )

    violations = audit(page, label=page.url, role="partenaire", size=size)
    assert violations == [], "\n".join(map(str, violations))
    assert page.errors == []
    assert page.failed_requests == []


def test_zoomed_out_the_map_counts_cells_and_lists_them(live_server, page, world):
    """Two records 45 km apart: the region's view frames them, still as cells (counted as
    the GeoJSON layer did), and the table under the map lists the same counts."""
    base = live_server.url
    requests, shown = _open_list(page, base, "coord", "")
    _assert_tiles_only(requests, "")
    assert shown["records"] == []
    assert sorted(cell["count"] for cell in shown["cells"]) == [1, 1]
    size_km = shown["cells"][0]["size"] // 1000
    status = page.locator("#occurrence-map-status").inner_text()
    assert status == (
        f"2 observations dans la vue, regroupées en 2 mailles de {size_km} km. "
        "Zoomez pour voir les points."
    )
    assert page.locator("#occurrence-map path.occurrence-cell").count() >= 2
    table = page.get_by_test_id("cells-table")
    table.locator("summary").click()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).locator("td.num").inner_text() for i in range(2)] == ["1", "1"]
    assert Occurrence.objects.count() == 2
    violations = audit(page, label=page.url, role="coordinateur", size="desktop")
    assert violations == [], "\n".join(map(str, violations))
    assert page.errors == []
    assert page.failed_requests == []

"""A partner draws a territory on the extract page, counts the rows, launches a CSV extract
and downloads it; chooses communes and taxa by name from the keyboard and gets two formats
in one ZIP — in headless Chromium (the job runs in a real Celery worker)."""

import csv
import io
import zipfile

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.gis.geos import Point
from playwright.sync_api import expect

from cpie_naturaliste.celery import app as celery_app
from observations.services import occurrences_refresh_sensitivity
from referentiel.models import Role, SensitivityRule
from tests.e2e.test_observation_journey import PASSWORD, log_in
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


@pytest.fixture
def partner_and_records():
    CommuneFactory()
    producer = OrganisationFactory(name="CPIE Chaîne des Terrils")
    partner = OrganisationFactory(name="Eden 62")
    dataset = DatasetFactory(producer=producer, is_public=True)
    for dx in (0, 100, 200):
        OccurrenceFactory(
            dataset=dataset,
            geom=Point(LOOS_X + dx, LOOS_Y, srid=2154),
            validation_status=1,
        )
    # Far from the drawn territory (30 km east): not in the extract.
    OccurrenceFactory(
        dataset=dataset,
        geom=Point(LOOS_X + 30000, LOOS_Y, srid=2154),
        validation_status=1,
    )
    user = UserFactory(username="julie", organisation=partner, roles=[Role.PARTENAIRE])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_partner_draws_counts_launches_and_downloads(
    live_server, page, partner_and_records
):
    base = live_server.url
    log_in(page, base, "julie", "/observations/extractions/")
    page.wait_for_selector("#extract-map .leaflet-outline-pane path")
    page.locator("#extract-map").scroll_into_view_if_needed()
    # The map opens on the region (zoom 8, centred at 50.45° N, 2.75° E): a square over
    # the middle of it holds Loos-en-Gohelle (2.79° E), not the record 30 km east (3.2° E).
    box = page.locator("#extract-map").bounding_box()
    for dx, dy in ((0.4, 0.3), (0.6, 0.3), (0.6, 0.7), (0.4, 0.7)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    expect(page.locator("#area-state")).to_have_text("4 sommet(s)")
    page.get_by_test_id("extract-count-button").click()
    count = page.get_by_test_id("extract-count").text_content()
    assert "3 observation(s)" in count, count
    expect(page.locator("#area-state")).to_have_text("4 sommet(s)")  # kept
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        page.get_by_test_id("extract-launch").click()
        page.get_by_test_id("extract-download").wait_for(timeout=30000)
    with page.expect_download() as download_info:
        page.get_by_test_id("extract-download").click()
    content = open(download_info.value.path(), "rb").read()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3
    assert page.errors == []


@pytest.fixture
def sensitive_records():
    """Loos-en-Gohelle: two common toads, and a natterjack toad sensitive at the commune
    level; the partner reads the natterjack blurred."""
    CommuneFactory()
    producer = OrganisationFactory(name="CPIE Chaîne des Terrils")
    partner = OrganisationFactory(name="Eden 62")
    dataset = DatasetFactory(producer=producer, is_public=True)
    bufo = TaxonFactory(
        cd_nom=217, scientific_name="Bufo bufo", vernacular_name="Crapaud commun"
    )
    calamita = TaxonFactory(
        cd_nom=212,
        scientific_name="Epidalea calamita",
        vernacular_name="Crapaud calamite",
    )
    SensitivityRule.objects.create(taxon=calamita, level=1)
    for taxon, dx in ((bufo, 0), (bufo, 100), (calamita, 200)):
        OccurrenceFactory(
            dataset=dataset,
            taxon=taxon,
            geom=Point(LOOS_X + dx, LOOS_Y, srid=2154),
            validation_status=1,
        )
    occurrences_refresh_sensitivity()
    user = UserFactory(username="julie", organisation=partner, roles=[Role.PARTENAIRE])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_partner_chooses_by_name_with_the_keyboard_and_gets_two_formats(
    live_server, page, sensitive_records
):
    """Commune and taxa chosen by name from the keyboard (a list of cd_nom typed too),
    a chip removed from the keyboard, the count of blurred rows before launching, two
    formats in one ZIP."""
    log_in(page, live_server.url, "julie", "/observations/extractions/")
    communes = page.get_by_role("combobox", name="Communes")
    communes.fill("loos")
    page.locator("#id_communes-options [role=option]").first.wait_for()
    communes.press("ArrowDown")
    communes.press("Enter")
    chips = page.get_by_test_id("communes-chips")
    assert chips.inner_text().startswith("Loos-en-Gohelle (62528)")
    assert communes.input_value() == ""

    taxa = page.get_by_role("combobox", name="Taxons")
    taxa.fill("crapaud commun")
    page.locator("#id_taxa-options [role=option]").first.wait_for()
    taxa.press("ArrowDown")
    taxa.press("Enter")
    # A list of cd_nom, typed then Entrée: looked up, unknown codes left in the field.
    taxa.fill("212, 999999")
    taxa.press("Enter")
    page.locator("#id_taxa-note").get_by_text(
        "Code(s) inconnu(s), laissé(s) dans le champ : 999999.", exact=True
    ).wait_for()
    taxon_chips = page.get_by_test_id("taxa-chips").locator(".chip__label")
    assert sorted(taxon_chips.all_inner_texts()) == [
        "Bufo bufo — Crapaud commun",
        "Epidalea calamita — Crapaud calamite",
    ]
    assert taxa.input_value() == "999999"
    taxa.fill("")

    estimate = page.get_by_test_id("extract-count")
    page.wait_for_function(
        "document.querySelector('[data-estimate]').textContent.includes('3 observation')"
    )
    assert "dont 1 floutée(s) pour Eden 62" in estimate.text_content()

    # Remove the common toad from the keyboard: focus its button, Entrée.
    remove = page.get_by_role("button", name="Retirer Bufo bufo — Crapaud commun")
    remove.focus()
    page.keyboard.press("Enter")
    assert taxon_chips.all_inner_texts() == ["Epidalea calamita — Crapaud calamite"]
    assert page.evaluate("document.activeElement.className") == "chip__remove"
    page.wait_for_function(
        "document.querySelector('[data-estimate]').textContent.includes('1 observation')"
    )
    assert "dont 1 floutée(s)" in estimate.text_content()

    page.get_by_label("GeoPackage (QGIS)").check()
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        page.get_by_test_id("extract-launch").click()
        page.get_by_test_id("extract-download").wait_for(timeout=30000)
    assert (
        "1, dont 1 floutée pour Eden 62"
        in page.get_by_test_id("extract-expected").text_content()
    )
    with page.expect_download() as download_info:
        page.get_by_test_id("extract-download").click()
    assert download_info.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download_info.value.path()) as archive:
        names = sorted(archive.namelist())
        text = archive.read(next(n for n in names if n.endswith(".csv")))
    assert names[0] == "LISEZMOI.txt" and names[1].endswith(".csv")
    assert names[2].endswith(".gpkg")
    (row,) = csv.DictReader(io.StringIO(text.decode("utf-8-sig")), delimiter=";")
    assert (row["typeZoneFloutage"], row["codeZoneFloutage"], row["geometrie"]) == (
        "COM",
        "62528",
        "",
    )
    assert page.errors == []

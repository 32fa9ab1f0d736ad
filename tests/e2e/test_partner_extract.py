"""A partner draws a territory on the extract page, counts the rows, launches a CSV extract
and downloads it, in headless Chromium (the job runs in a real Celery worker)."""

import csv
import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.gis.geos import Point

from cpie_naturaliste.celery import app as celery_app
from referentiel.models import Role
from tests.e2e.test_observation_journey import PASSWORD, log_in
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    OrganisationFactory,
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
    assert page.locator("#area-state").text_content() == "4 sommet(s)"
    page.get_by_test_id("extract-count-button").click()
    count = page.get_by_test_id("extract-count").text_content()
    assert "3 observation(s)" in count, count
    assert page.locator("#area-state").text_content() == "4 sommet(s)"  # kept
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

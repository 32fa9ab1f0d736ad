"""Entry pages: the drift-fence morning round, water levels from the site sheet and
management operations drawn on the map; role checks."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from observations.models import Occurrence, Source
from tests.factories.referentiel import DatasetFactory
from tests.factories.zones_humides import (
    DriftFenceFactory,
    WetlandProfileFactory,
    amphibian,
)
from zones_humides.models import FenceCheck, ManagementOperation, WaterLevelReading

pytestmark = pytest.mark.django_db


@pytest.fixture
def fence(organisation):
    for cd_nom in (259, 139):
        amphibian(cd_nom)
    return DriftFenceFactory(
        site=WetlandProfileFactory(site__name="Mare de Vimy").site,
        dataset=DatasetFactory(producer=organisation, title="Barrière de Vimy"),
    )


@pytest.fixture
def wetland():
    return WetlandProfileFactory(site__name="Marais de la Couture").site


def test_fence_morning_round_saves_grid_and_publishes(client, saisie_user, fence):
    client.force_login(saisie_user)
    url = reverse("zones_humides:fence_check_entry", args=[fence.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="n_259_male_v"' in html and 'name="n_139_amplexus_m"' in html
    response = client.post(
        url,
        {
            "date": "2021-03-12",
            "time": "07:30",
            "temperature_c": "6.5",
            "rain": "1",
            "observer": "Propriétaire du jardin",
            "n_259_male_v": "12",
            "n_259_amplexus_v": "3",
            "n_259_female_m": "1",
            "n_139_female_v": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    check = FenceCheck.objects.get(fence=fence)
    counts = {(c.taxon.cd_nom, c.sex, c.alive): c.count for c in check.counts.all()}
    assert counts == {
        (259, "male", True): 12,
        (259, "amplexus", True): 3,
        (259, "female", False): 1,
        (139, "female", True): 2,
    }
    assert Occurrence.objects.filter(source=Source.ZONES_HUMIDES).count() == 4
    # Reopening the day shows its counts; saving again replaces them.
    again = client.get(url, {"date": "2021-03-12"}).content.decode()
    assert 'value="12"' in again
    client.post(url, {"date": "2021-03-12", "rain": "0", "n_259_male_v": "5"})
    check.refresh_from_db()
    assert [c.count for c in check.counts.all()] == [5]
    assert Occurrence.objects.filter(source=Source.ZONES_HUMIDES).count() == 1


def test_fence_round_refuses_future_date_and_other_organisations(
    client, saisie_user, partenaire_user, fence
):
    client.force_login(saisie_user)
    url = reverse("zones_humides:fence_check_entry", args=[fence.pk])
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"date": future, "rain": "0", "n_259_male_v": "1"})
    assert response.status_code == 200 and "futur" in response.content.decode()
    assert not FenceCheck.objects.exists()
    client.force_login(partenaire_user)
    assert client.get(url).status_code in (403, 404)


def test_water_level_quick_form(client, saisie_user, partenaire_user, wetland):
    client.force_login(saisie_user)
    sheet = client.get(reverse("zones_humides:site_sheet", args=[wetland.pk]))
    assert 'data-testid="water-level-form"' in sheet.content.decode()
    url = reverse("zones_humides:water_level_entry", args=[wetland.pk])
    response = client.post(
        url, {"date": "2021-02-15", "level_cm": "42.5", "gauge": "échelle"}
    )
    assert response.status_code == 302
    reading = WaterLevelReading.objects.get(site=wetland)
    assert float(reading.level_cm) == 42.5
    client.post(url, {"date": "2021-02-15", "level_cm": "40", "gauge": "échelle"})
    assert WaterLevelReading.objects.get(site=wetland).level_cm == 40
    client.post(url, {"date": "2999-01-01", "level_cm": "40", "gauge": "échelle"})
    assert WaterLevelReading.objects.count() == 1
    assert client.get(url).status_code == 405
    client.force_login(partenaire_user)
    assert client.post(url, {"date": "2021-02-16", "level_cm": "1"}).status_code in (
        403,
        404,
    )
    assert WaterLevelReading.objects.count() == 1


def _square_around(site, half=0.0003):
    from django.contrib.gis.gdal import CoordTransform, SpatialReference

    centre = site.geom.centroid.transform(
        CoordTransform(SpatialReference(2154), SpatialReference(4326)), clone=True
    )
    x, y = centre.x, centre.y
    ring = [
        [x - half, y - half],
        [x + half, y - half],
        [x + half, y + half],
        [x - half, y + half],
        [x - half, y - half],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def test_operation_drawn_on_the_map(client, saisie_user, partenaire_user, wetland):
    client.force_login(saisie_user)
    url = reverse("zones_humides:operation_create", args=[wetland.pk])
    page = client.get(url).content.decode()
    assert 'id="operation-map"' in page and "zones_humides_operation.js" in page
    data = {
        "kind": "fauche",
        "date_start": "2021-09-15",
        "date_end": "2021-09-16",
        "performed_by": "benevoles",
        "participants_count": "6",
        "participants": "Paul Dupont\nSophie Martin",
        "geometry": _square_around(wetland),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    operation = ManagementOperation.objects.get()
    assert operation.geom.geom_type == "Polygon" and operation.geom.srid == 2154
    assert operation.geom.distance(wetland.geom) < 100
    assert operation.created_by == saisie_user
    edit = client.get(reverse("zones_humides:operation_update", args=[operation.pk]))
    assert "&quot;Polygon&quot;" in edit.content.decode()
    # Dates in the wrong order and a shape far away are refused.
    bad = client.post(url, {**data, "date_end": "2021-09-01"})
    assert bad.status_code == 200 and "précède" in bad.content.decode()
    far = json.dumps({"type": "Point", "coordinates": [2.0, 49.0]})
    bad = client.post(url, {**data, "geometry": far})
    assert bad.status_code == 200 and "loin du site" in bad.content.decode()
    assert ManagementOperation.objects.count() == 1
    # Without a shape, the operation is on the whole site.
    assert client.post(url, {**data, "geometry": ""}).status_code == 302
    assert ManagementOperation.objects.filter(geom__isnull=True).count() == 1
    client.force_login(partenaire_user)
    assert client.get(url).status_code in (403, 404)

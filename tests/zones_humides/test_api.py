"""Wetlands API: POP aires (GeoJSON), results, passage entry, permissions."""

import pytest
from rest_framework.test import APIClient

from observations.models import Occurrence
from tests.factories.zones_humides import DriftFenceFactory
from zones_humides.models import PopPassage

pytestmark = pytest.mark.django_db

BASE = "/api/v1/zones-humides"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_aires_are_geojson_in_wgs84(saisie_user, aire, pop_sites):
    body = client_for(saisie_user).get(f"{BASE}/pop/aires/").json()
    feature = body["features"][0]
    assert feature["properties"]["number"] == 5
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 2 < lon < 3.5 and 50 < lat < 51
    sites = client_for(saisie_user).get(f"{BASE}/pop/sites/?aire={aire.pk}").json()
    assert len(sites["features"]) == 3


def test_a_passage_with_nothing_found_through_the_api(
    saisie_user, observer, pop_sites, taxa
):
    client = client_for(saisie_user)
    payload = {
        "pop_site": pop_sites[0].pk,
        "number": 1,
        "date": "2020-03-10",
        "observers": [observer.pk],
        "expertise": "chevronne",
        "methods": ["1"],
        "nothing_found": True,
    }
    response = client.post(f"{BASE}/pop/passages/", payload, format="json")
    assert response.status_code == 201, response.json()
    (line,) = response.json()["observations"]
    assert line["taxon"] == 914450 and line["present"] is False
    assert line["occurrence_uuid"]
    again = client.post(f"{BASE}/pop/passages/", payload, format="json")
    assert again.status_code == 400 and "number" in again.json()

    species = client.post(
        f"{BASE}/pop/passages/",
        {
            **payload,
            "number": 2,
            "nothing_found": False,
            "observations": [{"taxon": 259, "count_min": 4, "count_max": 6}],
        },
        format="json",
    )
    assert species.status_code == 201, species.json()
    results = client.get(f"{BASE}/pop/aires/results/?year=2020").json()
    assert (results["sites_visited"], results["sites_occupied"]) == (1, 1)
    assert (results["records"], results["positive_records"]) == (2, 1)
    assert results["species"][0]["naive_occupancy"] == 1.0
    passage = PopPassage.objects.get(number=2)
    assert client.delete(f"{BASE}/pop/passages/{passage.pk}/").status_code == 204
    assert Occurrence.objects.count() == 1


def test_partners_read_public_data_but_cannot_write(
    partenaire_user, observer, pop_sites, taxa, pop_dataset
):
    client = client_for(partenaire_user)
    payload = {
        "pop_site": pop_sites[0].pk,
        "number": 1,
        "date": "2020-03-10",
        "observers": [observer.pk],
        "expertise": "chevronne",
        "nothing_found": True,
    }
    assert (
        client.post(f"{BASE}/pop/passages/", payload, format="json").status_code == 403
    )
    pop_dataset.is_public = False
    pop_dataset.save()
    assert client.get(f"{BASE}/pop/aires/").json()["features"] == []


def test_anonymous_gets_nothing(aire):
    assert APIClient().get(f"{BASE}/pop/aires/").status_code in (401, 403)


def test_a_fence_check_through_the_api(coordinateur_user, organisation, taxa):
    fence = DriftFenceFactory(dataset__producer=organisation)
    client = client_for(coordinateur_user)
    payload = {
        "date": "2020-03-05",
        "time": "07:30",
        "temperature_c": "7.5",
        "rain": "1",
        "counts": [
            {"taxon": 259, "sex": "amplexus", "count": 4},
            {"taxon": 259, "sex": "male", "count": 9},
            {"taxon": 351, "sex": "female", "alive": False, "count": 1},
        ],
    }
    url = f"{BASE}/barrieres/{fence.pk}/releves/"
    assert client.post(url, payload, format="json").status_code == 201
    assert fence.checks.get().counts.count() == 3
    toads = Occurrence.objects.get(taxon_id=259, sex="5")
    assert toads.count_max == 8  # four couples
    dead = Occurrence.objects.get(taxon_id=351)
    assert dead.bio_condition == "3"
    # The same morning again replaces its counts and their occurrences.
    payload["counts"] = [{"taxon": 259, "sex": "male", "count": 2}]
    assert client.post(url, payload, format="json").status_code == 201
    assert Occurrence.objects.count() == 1
    charts = client.get(f"{BASE}/barrieres/{fence.pk}/charts/").json()
    assert charts["yearly_totals"]["series"][0]["data"] == [2]

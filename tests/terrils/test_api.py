"""API under /api/v1/terrils/: registry as GeoJSON in WGS84 with scores, scores, ranking."""

import pytest

from terrils.services import scores_recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(evaluation):
    scores_recompute()
    return evaluation


def test_api_needs_authentication(api_client, scored):
    assert api_client.get("/api/v1/terrils/").status_code in (401, 403)


def test_registry_geojson_with_scores(auth_client, scored):
    data = auth_client.get("/api/v1/terrils/?year=2020").json()
    assert data["type"] == "FeatureCollection"
    feature = data["features"][0]
    assert feature["properties"]["number"] == "94-94a"
    assert feature["properties"]["score"] == 21
    assert feature["properties"]["score_class"] == "Faible"
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 1.3 < lon < 4.3 and 48.8 < lat < 51.2
    detail = auth_client.get("/api/v1/terrils/94-94a/").json()
    assert detail["properties"]["name"] == "Terril de Noyelles"


def test_scores_and_ranking(auth_client, scored):
    scores = auth_client.get("/api/v1/terrils/scores/?year=2020&version=v1").json()
    row = scores["results"][0]
    assert row["terril"] == "94-94a"
    assert {g["group"] for g in row["groups"]} == {"amphibiens", "flore", "habitats"}
    assert any(line["label"].startswith("Triton") for line in row["lines"])
    ranking = auth_client.get("/api/v1/terrils/classement/?year=2020").json()
    assert ranking["version"] == "v1"
    assert ranking["results"][0]["rank"] == 1
    assert ranking["results"][0]["terril"] == "94-94a"

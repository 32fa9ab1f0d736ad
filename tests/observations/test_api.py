"""Occurrence API: scoped lists, filters, writes through the services, GeoJSON in WGS84."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from observations import api as observations_api
from observations.models import Occurrence
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    TaxonFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/occurrences/"


@pytest.fixture
def taxa():
    genus = TaxonFactory(
        cd_nom=197040, scientific_name="Rana", rank="GN", class_name="Amphibia"
    )
    species = TaxonFactory(
        cd_nom=351,
        scientific_name="Rana temporaria",
        vernacular_name="Grenouille rousse",
        cd_sup=197040,
    )
    other = TaxonFactory(
        cd_nom=259, scientific_name="Bufo bufo", vernacular_name="Crapaud commun"
    )
    return genus, species, other


@pytest.fixture
def own_dataset(organisation):
    return DatasetFactory(producer=organisation, title="Inventaires CPIE")


def client_for(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_anonymous_is_refused(api_client):
    assert api_client.get(URL).status_code in (401, 403)


def test_create_through_the_api_with_wgs84_geojson(
    api_client, saisie_user, own_dataset, taxa
):
    CommuneFactory()
    payload = {
        "dataset": str(own_dataset.uuid),
        "taxon": 351,
        "date_start": "2020-04-02",
        "geometry": {"type": "Point", "coordinates": [2.7785, 50.4577]},
        "count_min": 3,
        "count_max": 5,
        "life_stage": "2",
    }
    response = client_for(api_client, saisie_user).post(URL, payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["taxon_name"] == "Rana temporaria"
    assert body["geometry"]["coordinates"] == pytest.approx([2.7785, 50.4577], abs=1e-6)
    occ = Occurrence.objects.get(uuid=body["uuid"])
    assert occ.geom.srid == 2154 and occ.created_by == saisie_user


def test_bad_payload_gets_french_field_errors_and_saves_nothing(
    api_client, saisie_user, own_dataset, taxa
):
    payload = {
        "dataset": str(own_dataset.uuid),
        "taxon": 351,
        "date_start": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
        "geometry": {"type": "Point", "coordinates": [2.35, 48.85]},
        "count_min": 9,
        "count_max": 2,
    }
    response = client_for(api_client, saisie_user).post(URL, payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "futur" in " ".join(errors["date_end"])
    assert any("territoire" in m for m in errors["non_field_errors"])
    assert not Occurrence.objects.exists()


def test_partner_cannot_write_and_staff_cannot_write_elsewhere(
    api_client, partenaire_user, saisie_user, other_organisation, taxa
):
    foreign = DatasetFactory(producer=other_organisation)
    payload = {
        "dataset": str(foreign.uuid),
        "taxon": 351,
        "date_start": "2020-04-02",
        "geometry": {"type": "Point", "coordinates": [2.7785, 50.4577]},
    }
    assert (
        client_for(api_client, partenaire_user)
        .post(URL, payload, format="json")
        .status_code
        == 403
    )
    response = client_for(api_client, saisie_user).post(URL, payload, format="json")
    assert response.status_code == 400 and "dataset" in response.json()


def test_lists_are_scoped_to_the_organisation(
    api_client, saisie_user, partenaire_user, own_dataset, taxa
):
    mine = OccurrenceFactory(dataset=own_dataset, taxon=taxa[1])
    public = OccurrenceFactory(dataset=DatasetFactory(is_public=True), taxon=taxa[2])
    hidden = OccurrenceFactory(dataset=DatasetFactory(), taxon=taxa[2])
    seen = {
        r["uuid"]
        for r in client_for(api_client, saisie_user).get(URL).json()["results"]
    }
    assert seen == {str(mine.uuid), str(public.uuid)}
    assert (
        client_for(api_client, partenaire_user).get(f"{URL}{hidden.uuid}/").status_code
        == 404
    )


def test_taxon_filter_includes_descendants_and_date_range(
    api_client, saisie_user, own_dataset, taxa
):
    genus, species, other = taxa
    a = OccurrenceFactory(
        dataset=own_dataset, taxon=species, date_start=dt.date(2020, 3, 1)
    )
    OccurrenceFactory(
        dataset=own_dataset, taxon=species, date_start=dt.date(2019, 3, 1)
    )
    OccurrenceFactory(dataset=own_dataset, taxon=other, date_start=dt.date(2020, 3, 1))
    client = client_for(api_client, saisie_user)
    response = client.get(
        URL, {"taxon": genus.cd_nom, "date_min": "2020-01-01", "date_max": "2020-12-31"}
    )
    assert [r["uuid"] for r in response.json()["results"]] == [str(a.uuid)]
    response = client.get(URL, {"taxon": genus.cd_nom, "descendants": "false"})
    assert response.json()["count"] == 0


def test_only_the_author_edits_as_saisie(
    api_client, saisie_user, coordinateur_user, own_dataset, taxa
):
    occ = OccurrenceFactory(
        dataset=own_dataset, taxon=taxa[1], created_by=coordinateur_user
    )
    client = client_for(api_client, saisie_user)
    assert (
        client.patch(f"{URL}{occ.uuid}/", {"count_max": 4}, format="json").status_code
        == 403
    )
    client = client_for(api_client, coordinateur_user)
    response = client.patch(f"{URL}{occ.uuid}/", {"count_max": 4}, format="json")
    assert response.status_code == 200 and response.json()["count_max"] == 4
    assert client.delete(f"{URL}{occ.uuid}/").status_code == 204
    assert not Occurrence.objects.exists()


def test_geojson_is_wgs84_and_bbox_is_srid_aware(
    api_client, saisie_user, own_dataset, taxa
):
    near = OccurrenceFactory(dataset=own_dataset, taxon=taxa[1])
    OccurrenceFactory(
        dataset=own_dataset,
        taxon=taxa[1],
        geom=Point(LOOS_X + 60000, LOOS_Y, srid=2154),
    )
    client = client_for(api_client, saisie_user)
    body = client.get(f"{URL}geojson/", {"in_bbox": "2.70,50.40,2.85,50.50"}).json()
    assert body["type"] == "FeatureCollection" and body["aggregated"] is False
    assert [f["properties"]["uuid"] for f in body["features"]] == [str(near.uuid)]
    lon, lat = body["features"][0]["geometry"]["coordinates"]
    assert 2.7 < lon < 2.85 and 50.4 < lat < 50.5
    assert client.get(f"{URL}geojson/", {"in_bbox": "oops"}).status_code == 400


def test_geojson_of_a_filter_known_to_match_nothing_is_empty(
    api_client, saisie_user, own_dataset, taxa
):
    """An unknown taxon is refused (400, naming it: issue 20); a known one without records
    here filters to nothing, which the SQL-built layer answers as an empty collection
    (an unknown taxon once filtered to ``none()``, which Django cannot turn into SQL:
    found by schemathesis, a 500)."""
    OccurrenceFactory(dataset=own_dataset, taxon=taxa[1])
    client = client_for(api_client, saisie_user)
    response = client.get(f"{URL}geojson/", {"taxon": 999999999})
    assert response.status_code == 400
    assert "999999999" in response.json()["taxon"][0]
    response = client.get(f"{URL}geojson/", {"taxon": 259})
    assert response.status_code == 200
    assert response.json() == {
        "type": "FeatureCollection",
        "aggregated": False,
        "features": [],
    }


def test_cells_of_a_large_view_count_every_record_of_the_cells_it_touches(
    api_client, saisie_user, own_dataset, taxa, monkeypatch
):
    """A view 3° wide shows 10 km cells: a cell it touches counts all its records (read
    from the grid codes, no geometry), a cell it does not touch is left out."""
    monkeypatch.setattr(observations_api, "MAP_POINT_LIMIT", 0)
    south = LOOS_Y // 10000 * 10000
    same_cell_y = south + (9000 if LOOS_Y - south < 5000 else 1000)
    for y in (LOOS_Y, same_cell_y, LOOS_Y + 30000):
        OccurrenceFactory(
            dataset=own_dataset, taxon=taxa[1], geom=Point(LOOS_X, y, srid=2154)
        )
    corners = [
        Point(LOOS_X, LOOS_Y + dy, srid=2154).transform(4326, clone=True)
        for dy in (-200, 200)
    ]
    box = f"1.5,{corners[0].y},4.5,{corners[1].y}"
    body = client_for(api_client, saisie_user).get(f"{URL}geojson/", {"in_bbox": box})
    body = body.json()
    assert body["aggregated"] is True and body["cell_size_m"] == 10000
    code = f"10kmL93E{int(LOOS_X // 10000):03d}N{int(LOOS_Y // 10000):03d}"
    assert [
        (f["properties"]["grid_10km"], f["properties"]["count"])
        for f in body["features"]
    ] == [(code, 2)]


def test_geojson_aggregates_beyond_the_point_limit(
    api_client, saisie_user, own_dataset, taxa, monkeypatch
):
    monkeypatch.setattr(observations_api, "MAP_POINT_LIMIT", 2)
    for dx in (0, 10, 20):
        OccurrenceFactory(
            dataset=own_dataset,
            taxon=taxa[1],
            geom=Point(LOOS_X + dx, LOOS_Y, srid=2154),
        )
    body = (
        client_for(api_client, saisie_user)
        .get(f"{URL}geojson/", {"in_bbox": "2.70,50.40,2.85,50.50"})
        .json()
    )
    assert body["aggregated"] is True
    assert sum(f["properties"]["count"] for f in body["features"]) == 3
    body = client_for(api_client, saisie_user).get(f"{URL}geojson/").json()
    assert (
        body["cell_size_m"] == 10000 and body["features"][0]["properties"]["grid_10km"]
    )

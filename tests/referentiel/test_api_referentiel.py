"""The referential API: taxon autocomplete, sites as WGS84 GeoJSON, the read-only lists."""

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from rest_framework.test import APIClient

from referentiel.models import Site, Taxon
from referentiel.services.territories import site_save
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SiteFactory,
    TaxonStatusFactory,
)

pytestmark = pytest.mark.django_db
TAXA = "/api/v1/taxa/"
SITES = "/api/v1/sites/"
AROUND_LOOS = "2.70,50.40,2.85,50.50"  # WGS84 degrees
AROUND_AMIENS = "2.25,49.85,2.35,49.95"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [taxon["scientific_name"] for taxon in response.json()["results"]]


class TestTaxonSearch:
    @pytest.mark.parametrize("term", ["mésange", "Mesange", "MÉSANGE", "mesan"])
    def test_french_name_with_or_without_accents(self, auth_client, taxa, term):
        # Both vernacular names start with the term; the shorter name comes first.
        assert names(auth_client.get(TAXA, {"search": term})) == [
            "Parus major",
            "Cyanistes caeruleus",
        ]

    @pytest.mark.parametrize("term", ["oeillet", "Œillet des", "chartreux"])
    def test_ligatures_and_later_words(self, auth_client, taxa, term):
        assert names(auth_client.get(TAXA, {"search": term})) == [
            "Dianthus carthusianorum"
        ]

    @pytest.mark.parametrize("term", ["Turdus mer", "turd", "merula", "merle noir"])
    def test_latin_or_french(self, auth_client, taxa, term):
        assert names(auth_client.get(TAXA, {"search": term})) == ["Turdus merula"]

    def test_valid_name_before_synonym(self, auth_client, taxa):
        response = auth_client.get(TAXA, {"search": "caeruleus"})

        # "Parus caeruleus" is shorter but a synonym: it comes second.
        assert names(response) == ["Cyanistes caeruleus", "Parus caeruleus"]
        synonym = response.json()["results"][1]
        assert (synonym["is_valid"], synonym["cd_ref"]) == (False, 534742)
        assert synonym["valid_name"] == "Cyanistes caeruleus"
        assert names(auth_client.get(TAXA, {"search": "parus"})) == [
            "Parus major",
            "Parus caeruleus",
        ]

    def test_words_must_start_a_word(self, auth_client, taxa):
        # Not a word start: no exact match; "erula" is still near enough to "merula" for
        # the typo tolerance (tests/referentiel/test_taxon_search.py), "dus" is not.
        assert list(Taxon.objects.search("erula")) == []
        assert names(auth_client.get(TAXA, {"search": "erula"})) == ["Turdus merula"]
        assert names(auth_client.get(TAXA, {"search": "dus"})) == []

    @pytest.mark.parametrize("term", ["me", "a b", "  tu ", "--"])
    def test_fewer_than_three_letters_is_a_400(self, auth_client, taxa, term):
        response = auth_client.get(TAXA, {"search": term})

        assert response.status_code == 400
        assert response.json() == {
            "search": ["Saisissez au moins 3 lettres d'un nom latin ou français."]
        }

    def test_a_short_word_next_to_a_long_one_is_fine(self, auth_client, taxa):
        assert names(auth_client.get(TAXA, {"search": "Tu merul"})) == ["Turdus merula"]

    def test_result_fields(self, auth_client, taxa):
        result = auth_client.get(TAXA, {"search": "merle"}).json()["results"][0]

        assert result == {
            "cd_nom": 4117,
            "cd_ref": 4117,
            "scientific_name": "Turdus merula",
            "author": "Linnaeus, 1758",
            "vernacular_name": "Merle noir",
            "rank": "ES",
            "atlas_group": {"code": "oiseaux", "name": "Oiseaux"},
            "is_valid": True,
            "valid_name": None,
            "label": "Turdus merula (Merle noir)",
        }

    def test_filters(self, auth_client, taxa):
        assert names(
            auth_client.get(TAXA, {"search": "caeruleus", "valid_only": "true"})
        ) == ["Cyanistes caeruleus"]
        assert names(
            auth_client.get(TAXA, {"atlas_group": "amphibiens", "rank": "ES,SSES"})
        ) == ["Triturus cristatus"]
        assert names(auth_client.get(TAXA, {"rank": "GN"})) == []

    def test_pages_have_no_count(self, auth_client, taxa):
        first = auth_client.get(TAXA, {"page_size": 3}).json()
        last = auth_client.get(TAXA, {"page_size": 3, "page": 3}).json()

        assert "count" not in first
        assert [t["cd_nom"] for t in first["results"]] == [139, 3676, 3760]
        assert first["previous"] is None and "page=2" in first["next"]
        assert len(last["results"]) == 2 and last["next"] is None
        assert "page=2" in last["previous"]
        assert auth_client.get(TAXA, {"page": "0"}).status_code == 404

    def test_detail_with_status(self, auth_client, taxa):
        TaxonStatusFactory(taxon_id=139, rarity="AR", red_list="VU")

        body = auth_client.get(f"{TAXA}139/").json()

        assert body["family"] == "Salamandridae"
        assert body["status"]["rarity"] == "AR"
        assert body["status"]["red_list_label"] == "Vulnérable"
        assert auth_client.get(f"{TAXA}4117/").json()["status"] is None
        assert auth_client.get(f"{TAXA}3760/").json()["valid_name"] == (
            "Cyanistes caeruleus"
        )
        assert auth_client.get(f"{TAXA}1/").status_code == 404

    def test_authenticated_users_only(self, api_client, taxa):
        assert api_client.get(TAXA, {"search": "merle"}).status_code in (401, 403)


@pytest.fixture
def sites(communes):
    loos = site_save(site=SiteFactory.build(name="Terrils du 11/19", code="94-94a"))
    hidden = site_save(
        site=SiteFactory.build(
            name="Jardin privé", kind=Site.Kind.JARDIN, is_public=False
        )
    )
    amiens = site_save(
        site=SiteFactory.build(
            name="Hortillonnages", geom=Point(2.30, 49.90, srid=4326)
        )
    )
    return loos, hidden, amiens


def site_names(response) -> list[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return [feature["properties"]["name"] for feature in body["features"]]


class TestSites:
    def test_anonymous_visitors_see_public_sites_only(self, api_client, sites):
        assert site_names(api_client.get(SITES)) == [
            "Hortillonnages",
            "Terrils du 11/19",
        ]
        assert api_client.get(f"{SITES}{sites[1].pk}/").status_code == 404

    def test_a_protected_site_is_shown_to_its_managers_only(
        self, auth_client, saisie_user, partenaire_user, sites
    ):
        """Issue 17: a site that is not public is another organisation's secret."""
        hidden = sites[1]
        assert site_names(auth_client.get(SITES, {"page_size": 500})) == [
            "Hortillonnages",
            "Terrils du 11/19",
        ]
        other = APIClient()
        other.force_authenticate(partenaire_user)
        assert other.get(f"{SITES}{hidden.pk}/").status_code == 404

        hidden.manager = saisie_user.organisation
        hidden.save()
        assert site_names(auth_client.get(SITES, {"page_size": 500})) == [
            "Hortillonnages",
            "Jardin privé",
            "Terrils du 11/19",
        ]
        assert other.get(f"{SITES}{hidden.pk}/").status_code == 404

    def test_feature_is_wgs84_geojson(self, api_client, sites):
        body = api_client.get(SITES, {"search": "terril"}).json()
        feature = body["features"][0]

        assert body["count"] == 1
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == pytest.approx((2.7785, 50.4577), abs=1e-4)
        assert feature["properties"]["kind_label"] == "Marais"
        assert feature["properties"]["code"] == "94-94a"
        assert feature["properties"]["communes"] == [
            {"insee": "62528", "name": "Loos-en-Gohelle"}
        ]

    def test_bbox_is_read_in_wgs84_against_the_lambert93_column(
        self, api_client, sites
    ):
        assert site_names(api_client.get(SITES, {"in_bbox": AROUND_LOOS})) == [
            "Terrils du 11/19"
        ]
        assert site_names(api_client.get(SITES, {"in_bbox": AROUND_AMIENS})) == [
            "Hortillonnages"
        ]
        assert site_names(api_client.get(SITES, {"in_bbox": "5,45,6,46"})) == []

    @pytest.mark.parametrize(
        "bbox", ["oops", "684000,7035000,685000,7037000", "3,51,2,50"]
    )
    def test_bad_bbox_is_a_400(self, api_client, bbox):
        response = api_client.get(SITES, {"in_bbox": bbox})

        assert response.status_code == 400
        assert "Emprise invalide" in response.json()["detail"]

    def test_filters(self, auth_client, saisie_user, sites):
        sites[1].manager = saisie_user.organisation
        sites[1].save()
        assert site_names(auth_client.get(SITES, {"kind": "jardin"})) == [
            "Jardin privé"
        ]
        assert site_names(auth_client.get(SITES, {"commune": "62528"})) == [
            "Jardin privé",
            "Terrils du 11/19",
        ]
        assert site_names(auth_client.get(SITES, {"search": "94-94"})) == [
            "Terrils du 11/19"
        ]


class TestCommunes:
    def test_list_has_no_geometry_and_searches_name_or_code(
        self, auth_client, communes
    ):
        body = auth_client.get("/api/v1/communes/", {"search": "LOOS"}).json()

        assert body["results"] == [
            {
                "insee": "62528",
                "name": "Loos-en-Gohelle",
                "departement": {"code": "62", "name": "Pas-de-Calais"},
            }
        ]
        by_code = auth_client.get("/api/v1/communes/", {"search": "6249"}).json()
        assert [c["name"] for c in by_code["results"]] == ["Lens"]

    def test_detail_has_the_outline_in_wgs84(self, auth_client, communes):
        geom = auth_client.get("/api/v1/communes/62528/").json()["geom"]

        assert geom["type"] == "MultiPolygon"
        lon, lat = geom["coordinates"][0][0][0]
        assert 2.7 < lon < 2.9 and 50.3 < lat < 50.5

    def test_authenticated_users_only(self, api_client, communes):
        assert api_client.get("/api/v1/communes/").status_code in (401, 403)


def test_datasets_follow_visible_to(auth_client, organisation, other_organisation):
    DatasetFactory(title="Suivi des terrils", producer=organisation)
    DatasetFactory(title="Données privées d'Eden", producer=other_organisation)
    DatasetFactory(title="Atlas public", producer=other_organisation, is_public=True)

    body = auth_client.get("/api/v1/datasets/").json()

    assert [d["title"] for d in body["results"]] == [
        "Atlas public",
        "Suivi des terrils",
    ]
    assert body["results"][1]["producer"]["name"] == "CPIE Chaîne des Terrils"
    public = auth_client.get("/api/v1/datasets/", {"is_public": "true"}).json()
    assert [d["title"] for d in public["results"]] == ["Atlas public"]


def test_programmes_atlas_groups_and_organisations(auth_client, organisation):
    ProgrammeFactory(
        code="STERF", level="national", start_year=2005, coordinator=organisation
    )
    ProgrammeFactory(code="POP-AMPHIBIENS", level="national", start_year=2022)
    OrganisationFactory(name="Conservatoire d'espaces naturels", kind="gestionnaire")

    programmes = auth_client.get("/api/v1/programmes/", {"active_in": 2021}).json()
    assert [p["code"] for p in programmes["results"]] == ["STERF"]
    assert programmes["results"][0]["level_label"] == "National"

    groups = auth_client.get("/api/v1/atlas-groups/", {"kingdom": "flore"}).json()
    assert [g["code"] for g in groups["results"]] == ["flore"]
    assert auth_client.get("/api/v1/atlas-groups/oiseaux/").json()["name"] == "Oiseaux"

    found = auth_client.get("/api/v1/organisations/", {"search": "chaine"}).json()
    assert [o["name"] for o in found["results"]] == ["CPIE Chaîne des Terrils"]
    managers = auth_client.get("/api/v1/organisations/", {"kind": "gestionnaire"})
    assert [o["name"] for o in managers.json()["results"]] == [
        "Conservatoire d'espaces naturels"
    ]


def test_openapi_schema_is_valid(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml")
    )
    assert "/api/v1/taxa/" in (tmp_path / "s.yml").read_text()

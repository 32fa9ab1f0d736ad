"""The taxon autocomplete's order and typo tolerance (issue 19: "crapaud" ranked two genus
lines above Bufo bufo; "crapau comun" found nothing)."""

import pytest

from referentiel.models import Taxon
from tests.factories.referentiel import TaxonFactory

pytestmark = pytest.mark.django_db
TAXA = "/api/v1/taxa/"


@pytest.fixture
def toads(db):
    return {
        "genus": TaxonFactory(
            cd_nom=191, rank="GN", scientific_name="Bufo", vernacular_name="Crapaud"
        ),
        "family": TaxonFactory(
            cd_nom=186,
            rank="FM",
            scientific_name="Bufonidae",
            vernacular_name="Crapauds",
        ),
        "common": TaxonFactory(
            cd_nom=259,
            scientific_name="Bufo bufo",
            vernacular_name="Crapaud commun",
        ),
        "spiny": TaxonFactory(
            cd_nom=444430,
            scientific_name="Bufo spinosus",
            vernacular_name="Crapaud épineux",
        ),
        "subspecies": TaxonFactory(
            cd_nom=459481,
            rank="SSES",
            scientific_name="Bufo bufo bufo",
            vernacular_name="",
        ),
        "natterjack": TaxonFactory(
            cd_nom=197,
            scientific_name="Epidalea calamita",
            vernacular_name="Crapaud calamite",
        ),
        "frog": TaxonFactory(
            cd_nom=351,
            scientific_name="Rana temporaria",
            vernacular_name="Grenouille rousse",
        ),
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [taxon["scientific_name"] for taxon in response.json()["results"]]


def test_species_come_before_subspecies_genera_and_families(auth_client, toads):
    assert names(auth_client.get(TAXA, {"search": "crapaud"})) == [
        "Bufo bufo",
        "Bufo spinosus",
        "Epidalea calamita",
        "Bufo",
        "Bufonidae",
    ]
    assert names(auth_client.get(TAXA, {"search": "bufo"})) == [
        "Bufo bufo",
        "Bufo spinosus",
        "Bufo bufo bufo",
        "Bufo",
        "Bufonidae",
    ]


@pytest.mark.parametrize(
    "term, found",
    [
        ("crapau comun", "Bufo bufo"),
        ("crapaud comun", "Bufo bufo"),
        ("grenouile rousse", "Rana temporaria"),
        ("rana temporia", "Rana temporaria"),
    ],
)
def test_typos_are_tolerated(auth_client, toads, term, found):
    assert names(auth_client.get(TAXA, {"search": term}))[0] == found


def test_exact_matches_come_before_near_ones(auth_client, toads):
    near = TaxonFactory(scientific_name="Bufa communis", vernacular_name="")
    # "commun" starts a word of Bufo bufo only; "Bufa communis"'s "communis" starts with
    # it too, but "bufa" is only near "bufo".
    assert names(auth_client.get(TAXA, {"search": "bufo commun"})) == [
        "Bufo bufo",
        near.scientific_name,
    ]


def test_unrelated_words_find_nothing(auth_client, toads):
    assert names(auth_client.get(TAXA, {"search": "mésange bleue"})) == []


def test_the_form_lookup_stays_exact(toads):
    # Entry without JavaScript picks a taxon from the typed text: no guessing there.
    assert list(Taxon.objects.search("crapau comun")) == []

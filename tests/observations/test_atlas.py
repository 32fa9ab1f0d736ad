"""Atlas contributions: species counting, scope, the API and the page."""

import datetime as dt

import pytest

from observations.atlas import (
    atlas_contributions,
    atlas_contributions_by_year,
    binomial,
)
from observations.models import Occurrence
from referentiel.models import AtlasGroup, Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import DatasetFactory, TaxonFactory, UserFactory

pytestmark = pytest.mark.django_db
API_URL = "/api/v1/atlas/"
PAGE_URL = "/observations/atlas/"


def group(code: str) -> AtlasGroup:
    return AtlasGroup.objects.get(code=code)


@pytest.fixture
def taxa():
    """Amphibians named every way the counting must handle, a plant and an ungrouped
    beetle. cd_nom above 9,000,000: test codes, not TAXREF ones."""
    amphibians = group("amphibiens")

    def taxon(cd_nom, name, rank="ES", cd_ref=None, **kwargs):
        return TaxonFactory(
            cd_nom=cd_nom,
            cd_ref=cd_ref or cd_nom,
            scientific_name=name,
            rank=rank,
            atlas_group=kwargs.pop("atlas_group", amphibians),
            **kwargs,
        )

    return {
        "genus": taxon(9_000_100, "Rana", rank="GN"),
        "species": taxon(9_000_101, "Rana temporaria", cd_sup=9_000_100),
        "synonym": taxon(9_000_102, "Rana fusca", cd_ref=9_000_101),
        "subspecies_sup": taxon(
            9_000_103, "Rana temporaria parvipalmata", rank="SSES", cd_sup=9_000_101
        ),
        "lessonae": taxon(9_000_110, "Pelophylax lessonae"),
        "bergeri": taxon(9_000_111, "Pelophylax lessonae bergeri", rank="SSES"),
        "orphan_a": taxon(9_000_120, "Triturus foo alpha", rank="SSES"),
        "orphan_b": taxon(9_000_121, "Triturus foo beta", rank="SSES"),
        "frog": taxon(9_000_130, "Pelophylax ridibundus"),
        "plant": taxon(
            9_000_200, "Orchis mascula", atlas_group=group("flore"), kingdom="Plantae"
        ),
        "beetle": taxon(9_000_300, "Carabus auratus", atlas_group=None),
    }


@pytest.fixture
def own_dataset(organisation):
    return DatasetFactory(producer=organisation, title="Inventaires CPIE")


@pytest.fixture
def private_partner_dataset(other_organisation):
    return DatasetFactory(
        producer=other_organisation, title="Données Eden 62", is_public=False
    )


def occurrence(taxon, dataset, *, year=2020, status="Pr"):
    return OccurrenceFactory(
        taxon=taxon,
        dataset=dataset,
        date_start=dt.date(year, 5, 12),
        observation_status=status,
        count_min=0 if status == "No" else 1,
        count_max=0 if status == "No" else 1,
    )


@pytest.fixture
def records(taxa, own_dataset, private_partner_dataset):
    for name in (
        "species",
        "species",
        "synonym",
        "subspecies_sup",
        "lessonae",
        "bergeri",
        "orphan_a",
        "orphan_b",
        "genus",
        "plant",
        "beetle",
    ):
        occurrence(taxa[name], own_dataset)
    occurrence(taxa["frog"], own_dataset, status="No")  # an absence
    occurrence(taxa["frog"], own_dataset, year=2019)  # another year
    occurrence(taxa["frog"], private_partner_dataset)  # out of the staff's scope


def line(table, code):
    return next(g for g in table.groups if g.code == code)


def test_species_are_counted_once_whatever_their_name(records, coordinateur_user):
    queryset = Occurrence.objects.visible_to(coordinateur_user)
    table = atlas_contributions(year=2020, queryset=queryset)
    amphibians = line(table, "amphibiens")
    # Rana temporaria (species, synonym, subspecies by cd_sup), Pelophylax lessonae
    # (species and a subspecies found by its name), Triturus foo (two subspecies of a
    # species the referential lacks); the genus record counts as a record only.
    assert amphibians.records == 9
    assert amphibians.species == 3


def test_absences_other_years_and_other_scopes_are_left_out(records, coordinateur_user):
    table = atlas_contributions(
        year=2020, queryset=Occurrence.objects.visible_to(coordinateur_user)
    )
    assert line(table, "amphibiens").records == 9  # not the absent or private frog


def test_a_regional_coordinator_counts_every_organisation(records, organisation):
    regional = UserFactory(
        username="regional",
        organisation=organisation,
        is_regional=True,
        roles=[Role.COORDINATEUR],
    )
    table = atlas_contributions(
        year=2020, queryset=Occurrence.objects.visible_to(regional)
    )
    amphibians = line(table, "amphibiens")
    assert (amphibians.records, amphibians.species) == (10, 4)


def test_every_group_is_listed_in_order_with_kingdom_and_total_lines(
    records, coordinateur_user
):
    table = atlas_contributions(
        year=2020, queryset=Occurrence.objects.visible_to(coordinateur_user)
    )
    codes = list(AtlasGroup.objects.order_by("position", "name").values_list("code"))
    assert [(g.code,) for g in table.groups] == codes
    assert (line(table, "odonates").records, line(table, "odonates").species) == (0, 0)
    assert (line(table, "flore").records, line(table, "flore").species) == (1, 1)
    assert (table.ungrouped.records, table.ungrouped.species) == (1, 1)
    kingdoms = {k.code: (k.records, k.species) for k in table.kingdoms}
    # The ungrouped beetle (Animalia) joins the fauna line.
    assert kingdoms == {"faune": (10, 4), "flore": (1, 1)}
    assert (table.total.records, table.total.species) == (11, 5)


def test_several_years_at_once_match_one_year_at_a_time(records, organisation):
    regional = UserFactory(
        username="regional",
        organisation=organisation,
        is_regional=True,
        roles=[Role.COORDINATEUR],
    )
    queryset = Occurrence.objects.visible_to(regional)
    tables = atlas_contributions_by_year(years=[2020, 2019], queryset=queryset)
    for year in (2019, 2020):
        alone = atlas_contributions(year=year, queryset=queryset)
        assert [(g.code, g.records, g.species) for g in tables[year].groups] == [
            (g.code, g.records, g.species) for g in alone.groups
        ]
    assert line(tables[2019], "amphibiens").records == 1


def test_a_year_without_records_gives_zeros(coordinateur_user):
    table = atlas_contributions(
        year=1999, queryset=Occurrence.objects.visible_to(coordinateur_user)
    )
    assert all(g.records == g.species == 0 for g in table.groups)
    assert table.ungrouped is None
    assert (table.total.records, table.total.species) == (0, 0)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Rana temporaria", "Rana temporaria"),
        ("Pelophylax lessonae bergeri", "Pelophylax lessonae"),
        ("Pelophylax kl. esculentus", "Pelophylax kl. esculentus"),
        ("Asplenium obovatum subsp. billotii", "Asplenium obovatum"),
        ("Carabus (Chrysocarabus) auratus", "Carabus auratus"),
    ],
)
def test_binomial(name, expected):
    assert binomial(name) == expected


# API -----------------------------------------------------------------------------------


def test_api_gives_the_table_of_the_year(api_client, records, coordinateur_user):
    api_client.force_authenticate(coordinateur_user)
    response = api_client.get(API_URL, {"year": 2020})
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2020
    amphibians = next(g for g in body["groups"] if g["code"] == "amphibiens")
    assert (amphibians["records"], amphibians["species"]) == (9, 3)
    assert amphibians["occurrences_url"].endswith(
        "/api/v1/occurrences/?year=2020&atlas_group=amphibiens&presence=Pr"
    )
    assert body["total"]["records"] == 11
    assert [k["code"] for k in body["kingdoms"]] == ["faune", "flore"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("deux-mille", "Année invalide"),
        ("3000", "L'année doit être comprise entre 1800 et"),
    ],
)
def test_api_refuses_a_bad_year_in_french(
    api_client, coordinateur_user, value, message
):
    api_client.force_authenticate(coordinateur_user)
    response = api_client.get(API_URL, {"year": value})
    assert response.status_code == 400
    assert response.json()["year"][0].startswith(message)


def test_api_defaults_to_the_latest_year_with_records(
    api_client, records, coordinateur_user
):
    api_client.force_authenticate(coordinateur_user)
    assert api_client.get(API_URL).json()["year"] == 2020


def test_api_needs_an_account(api_client):
    assert api_client.get(API_URL, {"year": 2020}).status_code in (401, 403)


def test_api_is_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/atlas/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["year"]


# Page ----------------------------------------------------------------------------------


def test_page_shows_the_table_with_links_to_the_list(
    client, records, coordinateur_user
):
    client.force_login(coordinateur_user)
    response = client.get(PAGE_URL, {"year": 2020})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Contributions aux atlas régionaux en 2020" in html
    assert (
        'href="/observations/?year=2020&amp;presence=Pr&amp;atlas_group=amphibiens"'
        in html
    )
    row = html.split('data-group="amphibiens"')[1].split("</tr>")[0]
    assert ">9</a>" in row and ">3</a>" in row
    assert 'id="atlas-chart-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/atlas.js" in html
    assert response.context["chart"]["datasets"][1]["label"] == "2019"


def test_page_refuses_a_bad_year_with_a_french_message(client, coordinateur_user):
    client.force_login(coordinateur_user)
    response = client.get(PAGE_URL, {"annee": "20x0"})
    assert response.status_code == 400
    assert "Année invalide" in response.content.decode()


def test_page_needs_an_account(client):
    response = client.get(PAGE_URL)
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]

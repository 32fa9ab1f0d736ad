"""Site counts: the season grid, the spreadsheet import (all or nothing), published
occurrences (a zero is an absence), tables with missing counts left missing, trends,
permissions and the API."""

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from observations.counts.imports import counts_import
from observations.counts.selectors import programme_version, species_matrix
from observations.counts.services import VisitEntry, visit_save
from observations.counts.trends import species_trend
from observations.models import CountVisit, Occurrence, SiteCount, Source
from tests.factories.counts import (
    CountProgrammeFactory,
    CountSiteFactory,
    bat_taxa,
    seasons_create,
)
from tests.factories.referentiel import DatasetFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(organisation):
    programme = CountProgrammeFactory(
        dataset=DatasetFactory(producer=organisation, is_public=False)
    )
    programme.taxa.set(bat_taxa())
    return programme


@pytest.fixture
def sites(programme):
    return [
        CountSiteFactory(programme=programme, code=f"CH0{i}", site__name=name)
        for i, name in enumerate(["Fort de Bondues", "Mine de Denain", "Cave d'Hamel"])
    ]


@pytest.fixture
def taxa(programme):
    return list(programme.taxa.order_by("scientific_name"))  # daubentonii, emarginatus


def grid_data(sites, taxa, season=2021):
    data = {}
    for site in sites:
        data[f"date_{site.pk}"] = f"{season}-01-18"
        data[f"coverage_{site.pk}"] = "V"
        for taxon in taxa:
            data[f"n_{site.pk}_{taxon.pk}"] = ""
    first, second, third = sites
    data[f"n_{first.pk}_{taxa[0].pk}"] = "12"
    data[f"n_{first.pk}_{taxa[1].pk}"] = "0"
    data[f"temperature_{first.pk}"] = "8.5"
    data[f"n_{second.pk}_{taxa[0].pk}"] = "3"
    data[f"date_{third.pk}"] = ""  # not visited this season
    return data


def test_grid_entry_saves_counts_and_publishes_occurrences(
    client, saisie_user, programme, sites, taxa
):
    client.force_login(saisie_user)
    url = reverse("observations:count_season_grid", args=["CHIRO-HIVER", 2021])
    assert client.get(url).status_code == 200
    response = client.post(url, grid_data(sites, taxa))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CountVisit.objects.count() == 2
    first = CountVisit.objects.get(count_site=sites[0])
    assert first.season == 2021 and str(first.temperature) == "8.5"
    counts = {c.taxon_id: c for c in first.counts.select_related("occurrence")}
    assert counts[taxa[0].pk].count == 12
    zero = counts[taxa[1].pk].occurrence
    assert zero.observation_status == "No" and zero.count_max == 0
    assert zero.source == Source.COMPTAGE and zero.dataset == programme.dataset
    present = counts[taxa[0].pk].occurrence
    assert present.observation_status == "Pr" and present.count_min == 12
    # A species left empty is not counted: no row, no occurrence.
    assert SiteCount.objects.count() == 3
    assert Occurrence.objects.filter(source=Source.COMPTAGE).count() == 3

    table = client.get(
        reverse("observations:count_season", args=["CHIRO-HIVER", 2021])
    ).content.decode()
    assert "Fort de Bondues" in table and "non visité" in table
    listing = client.get("/observations/?source=comptage").content.decode()
    assert "Myotis daubentonii" in listing

    # Saving the grid again unchanged writes nothing; a changed cell updates in place.
    occurrence_id = present.pk
    assert client.post(url, grid_data(sites, taxa)).status_code == 302
    data = grid_data(sites, taxa)
    data[f"n_{sites[0].pk}_{taxa[0].pk}"] = "14"
    data[f"n_{sites[0].pk}_{taxa[1].pk}"] = ""
    client.post(url, data)
    present = Occurrence.objects.get(pk=occurrence_id)
    assert present.count_min == 14
    assert not Occurrence.objects.filter(pk=zero.pk).exists()


def test_grid_refuses_a_date_of_another_season(client, saisie_user, sites, taxa):
    client.force_login(saisie_user)
    url = reverse("observations:count_season_grid", args=["CHIRO-HIVER", 2021])
    data = grid_data(sites, taxa)
    data[f"date_{sites[0].pk}"] = "2019-01-18"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "saison 2021" in response.content.decode()
    assert not CountVisit.objects.exists()


def test_grid_api(auth_client, programme, sites, taxa):
    url = "/api/v1/comptages/programmes/CHIRO-HIVER/saisons/2021/"
    person = PersonFactory()
    payload = {
        "observers": [person.pk],
        "rows": [
            {
                "site": sites[0].pk,
                "date": "2021-01-17",
                "coverage": "X",
                "counts": {},
            },
            {
                "site": sites[1].pk,
                "date": "2021-01-17",
                "counts": {str(taxa[0].pk): 4, str(taxa[1].pk): None},
            },
        ],
    }
    response = auth_client.post(url, payload, format="json")
    assert response.status_code == 200, response.content
    rows = {row["site"]: row for row in response.json()["rows"]}
    # « Rien trouvé »: a zero for every species; a null stays missing.
    assert rows[sites[0].pk]["counts"] == {str(taxa[0].pk): 0, str(taxa[1].pk): 0}
    assert rows[sites[1].pk]["counts"] == {str(taxa[0].pk): 4, str(taxa[1].pk): None}
    assert rows[sites[2].pk]["counts"] == {str(taxa[0].pk): None, str(taxa[1].pk): None}
    assert Occurrence.objects.filter(observation_status="No").count() == 2
    assert auth_client.get(url).json()["season"] == 2021


def test_grid_from_the_outbox_is_saved_once(saisie_user, programme, sites, taxa):
    """The season grid kept on a phone with no network, sent with the page's fields and
    the device's UUID: saved once, a resend answers the table (nothing rewritten), a
    refusal is in French with the cell's name."""
    client = APIClient()
    client.force_authenticate(saisie_user)
    url = "/api/v1/comptages/programmes/CHIRO-HIVER/saisons/2021/saisie/"
    data = {**grid_data(sites, taxa), "uuid": str(uuid.uuid4())}
    first = client.post(url, data, format="multipart")
    assert first.status_code == 201, first.content
    assert CountVisit.objects.filter(entry_uuid=data["uuid"]).count() == 2
    present = Occurrence.objects.get(count_min=12)
    again = client.post(url, data, format="multipart")
    assert again.status_code == 200
    rows = {row["site"]: row for row in again.json()["rows"]}
    assert rows[sites[0].pk]["counts"][str(taxa[0].pk)] == 12
    assert Occurrence.objects.get(count_min=12).updated_at == present.updated_at
    assert SiteCount.objects.count() == 3

    refused = client.post(
        url,
        {
            **data,
            "uuid": str(uuid.uuid4()),
            f"n_{sites[1].pk}_{taxa[0].pk}": "-2",
            f"date_{sites[2].pk}": "2019-01-18",
        },
        format="multipart",
    ).json()
    cell = f"n_{sites[1].pk}_{taxa[0].pk}"
    assert refused[cell] == [
        "Assurez-vous que cette valeur est supérieure ou égale à 0."
    ]
    assert refused["labels"][cell] == f"{sites[1]} – {taxa[0]}"
    assert SiteCount.objects.count() == 3


def _csv(tmp_path, text):
    path = tmp_path / "saison.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_import_is_all_or_nothing(tmp_path, saisie_user, programme, sites, taxa):
    header = "site;date;couverture;temperature;Myotis daubentonii;Murin à oreilles échancrées\n"
    bad = _csv(
        tmp_path,
        header
        + "CH00;15/01/2021;V;7,5;10;2\n"
        + "Inconnu;15/01/2021;V;;1;\n"
        + "CH01;32/01/2021;V;;1;\n"
        + "CH02;16/01/2021;V;;-3;x\n",
    )
    result = counts_import(
        programme=programme, path=bad, filename="saison.csv", user=saisie_user
    )
    errors = {(e["line"], e["column"]) for e in result.errors.sorted_entries()}
    assert (3, "site") in errors and (4, "date") in errors
    assert (5, "Myotis daubentonii") in errors and (5, "Myotis emarginatus") in errors
    assert not CountVisit.objects.exists() and not SiteCount.objects.exists()

    good = _csv(
        tmp_path,
        header.replace("\n", ";Niveau d'eau;Glace\n")
        + "CH00;15/01/2021;V;7,5;10;0;haut;1\n"
        + "Mine de Denain;16/01/2021;Non compté;;;;;\n"
        + "Cave d'Hamel;16/01/2021;incomplet;;;4;;\n",
    )
    result = counts_import(
        programme=programme, path=good, filename="saison.csv", user=saisie_user
    )
    assert not result.errors and (result.created, result.updated) == (3, 0)
    assert SiteCount.objects.count() == 3
    first = CountVisit.objects.get(count_site=sites[0])
    assert (first.water_level, first.ice) == ("high", "1")
    assert CountVisit.objects.get(count_site=sites[1]).coverage == "N"
    assert CountVisit.objects.get(count_site=sites[2]).coverage == "O"
    zero = SiteCount.objects.get(visit__count_site=sites[0], taxon=taxa[1])
    assert zero.count == 0 and zero.occurrence.observation_status == "No"
    # The same file corrected: the existing visits are updated, nothing duplicated.
    fixed = _csv(tmp_path, header + "CH00;15/01/2021;V;7,5;11;0\n")
    result = counts_import(
        programme=programme, path=fixed, filename="saison.csv", user=saisie_user
    )
    assert (result.created, result.updated) == (0, 1)
    assert SiteCount.objects.get(visit__count_site=sites[0], taxon=taxa[0]).count == 11
    assert CountVisit.objects.count() == 3


def test_import_page(client, saisie_user, sites, taxa):
    client.force_login(saisie_user)
    url = reverse("observations:count_import", args=["CHIRO-HIVER"])
    content = "site,date,Myotis daubentonii\nCH00,2021-01-15,5\nCH09,2021-01-15,1\n"
    upload = SimpleUploadedFile("s.csv", content.encode(), content_type="text/csv")
    response = client.post(url, {"file": upload})
    assert response.status_code == 200
    assert "CH09" in response.content.decode()
    assert not CountVisit.objects.exists()


def test_species_matrix_keeps_missing_counts_missing(
    client, saisie_user, programme, sites, taxa
):
    seasons_create(
        programme=programme, sites=sites[:2], user=saisie_user, first=2018, last=2020
    )
    visit_save(
        entry=VisitEntry(
            count_site=sites[2], date=dt.date(2020, 1, 10), counts={taxa[0].pk: 0}
        ),
        user=saisie_user,
    )
    seasons, matrix = species_matrix(programme=programme, taxon=taxa[0])
    assert seasons == [2018, 2019, 2020]
    third = dict(matrix)[sites[2]]
    assert third == [None, None, 0]
    client.force_login(saisie_user)
    page = client.get(
        reverse("observations:count_species", args=["CHIRO-HIVER", taxa[0].pk])
    ).content.decode()
    assert 'title="manquant"' in page
    api = client.get(
        f"/api/v1/comptages/programmes/CHIRO-HIVER/especes/{taxa[0].pk}/"
    ).json()
    assert {row["site"]: row["counts"] for row in api["sites"]}[sites[2].pk] == [
        None,
        None,
        0,
    ]


def test_season_table_xlsx(client, saisie_user, programme, sites):
    seasons_create(
        programme=programme, sites=sites, user=saisie_user, first=2020, last=2020
    )
    client.force_login(saisie_user)
    response = client.get(
        reverse("observations:count_season_xlsx", args=["CHIRO-HIVER", 2020])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('CHIRO-HIVER-2020.xlsx"')
    assert response.content[:2] == b"PK"


def test_trends_cached_until_data_change(client, saisie_user, programme, sites, taxa):
    seasons_create(programme=programme, sites=sites, user=saisie_user)
    declining, growing = taxa
    trend = species_trend(programme=programme, taxon=growing)
    assert trend["ok"] and trend["sites"] == 3
    assert trend["slope_imputed"]["multiplicative"] > 1.05
    assert trend["slope_imputed"]["classification"] in {
        "strong_increase",
        "moderate_increase",
    }
    assert 0 < trend["imputed_share"] < 0.3
    assert (
        species_trend(programme=programme, taxon=declining)["slope_imputed"][
            "multiplicative"
        ]
        < 1
    )

    version = programme_version(programme)
    assert species_trend(programme=programme, taxon=growing) == trend
    visit_save(
        entry=VisitEntry(
            count_site=sites[0], date=dt.date(2021, 1, 12), counts={growing.pk: 80}
        ),
        user=saisie_user,
    )
    assert programme_version(programme) != version
    assert (
        species_trend(programme=programme, taxon=growing)["years"][-1]["year"] == 2021
    )

    client.force_login(saisie_user)
    summary = client.get(reverse("observations:count_trends", args=["CHIRO-HIVER"]))
    assert "Myotis emarginatus" in summary.content.decode()
    page = client.get(
        reverse("observations:count_species", args=["CHIRO-HIVER", growing.pk])
    ).content.decode()
    assert "trend-chart-data" in page and "Pente multiplicative" in page
    api = client.get("/api/v1/comptages/programmes/CHIRO-HIVER/tendances/").json()
    assert {item["taxon"]["cd_nom"] for item in api} == {t.pk for t in taxa}


def test_permissions(client, api_client, partenaire_user, programme, sites, taxa):
    detail = reverse("observations:count_programme", args=["CHIRO-HIVER"])
    assert client.get(detail).status_code == 302  # anonymous → login
    client.force_login(partenaire_user)
    # Private dataset of another organisation: not visible.
    assert client.get(detail).status_code == 404
    api_client.force_authenticate(partenaire_user)
    assert api_client.get("/api/v1/comptages/programmes/").json()["results"] == [] or (
        api_client.get("/api/v1/comptages/programmes/").json() == []
    )
    programme.dataset.is_public = True
    programme.dataset.save()
    assert client.get(detail).status_code == 200
    grid = reverse("observations:count_season_grid", args=["CHIRO-HIVER", 2021])
    assert client.get(grid).status_code == 403
    response = api_client.post(
        "/api/v1/comptages/programmes/CHIRO-HIVER/saisons/2021/",
        {"rows": [{"site": sites[0].pk, "date": "2021-01-17", "counts": {}}]},
        format="json",
    )
    assert response.status_code == 403
    assert not CountVisit.objects.exists()

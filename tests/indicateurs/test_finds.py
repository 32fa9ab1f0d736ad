"""Remarkable finds: a taxon's first valid record in a département is flagged, its second
is not; earlier records of a subspecies or of another organisation count; rare and
threatened taxa of the year are listed."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from openpyxl import load_workbook

from indicateurs.finds import first_records, rare_or_threatened
from indicateurs.models import RemarkableFind
from indicateurs.report import report_write
from indicateurs.services import indicators_for_year
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    DepartementFactory,
    TaxonFactory,
    TaxonStatusFactory,
    square,
)

pytestmark = pytest.mark.django_db
IN_62 = (LOOS_X + 100, LOOS_Y + 100)
IN_59 = (730000, 7040000)


@pytest.fixture
def departements():
    """Loos-en-Gohelle (62) and a commune of the Nord: the département of a record comes
    from its commune."""
    nord = DepartementFactory(
        code="59", name="Nord", geom=square(720000, 6980000, 120000)
    )
    CommuneFactory()
    CommuneFactory(
        insee="59350",
        name="Lille",
        departement=nord,
        geom=square(IN_59[0] - 3000, IN_59[1] - 3000, 6000),
    )


@pytest.fixture
def own(organisation):
    return DatasetFactory(producer=organisation)


def record(taxon, dataset, day, where=IN_62, status=1):
    return OccurrenceFactory(
        taxon=taxon,
        dataset=dataset,
        date_start=day,
        geom=Point(*where, srid=2154),
        validation_status=status,
        observation_status="Pr",
    )


def test_first_record_in_pas_de_calais_is_flagged_not_the_second(
    departements, own, coordinateur_user
):
    calliptamus = TaxonFactory(scientific_name="Calliptamus italicus")
    first = record(calliptamus, own, dt.date(2020, 7, 7))
    record(calliptamus, own, dt.date(2020, 8, 1))  # the second, same year
    record(calliptamus, own, dt.date(2019, 5, 1), where=IN_59)  # Nord, earlier
    finds = first_records(year=2020, user=coordinateur_user)
    assert [(f["taxon"], f["departement"], f["date"]) for f in finds] == [
        ("Calliptamus italicus", "62", "2020-07-07")
    ]
    assert finds[0]["uuid"] == str(first.uuid)
    assert finds[0]["departement_name"] == "Pas-de-Calais"
    # The next year, a record of the taxon is a second.
    record(calliptamus, own, dt.date(2021, 6, 1))
    assert first_records(year=2021, user=coordinateur_user) == []
    assert [
        f["departement"] for f in first_records(year=2019, user=coordinateur_user)
    ] == ["59"]


def test_earlier_records_of_a_subspecies_or_of_another_organisation_count(
    departements, own, other_organisation, coordinateur_user
):
    species = TaxonFactory(cd_nom=9_100_001, scientific_name="Petrorhagia saxifraga")
    TaxonFactory(
        cd_nom=9_100_002,
        scientific_name="Petrorhagia saxifraga subsp. saxifraga",
        rank="SSES",
        cd_sup=9_100_001,
    )
    subspecies = species.__class__.objects.get(cd_nom=9_100_002)
    record(subspecies, own, dt.date(2015, 6, 1))
    record(species, own, dt.date(2020, 6, 1))
    bubo = TaxonFactory(scientific_name="Bubo bubo")
    hidden = DatasetFactory(producer=other_organisation, is_public=False)
    record(bubo, hidden, dt.date(2018, 3, 1))
    record(bubo, own, dt.date(2020, 3, 1))
    # A record awaiting validation, or doubtful, is no first and hides none.
    euroleon = TaxonFactory(scientific_name="Euroleon nostras")
    record(euroleon, own, dt.date(2017, 3, 1), status=3)
    record(euroleon, own, dt.date(2020, 6, 3))
    record(TaxonFactory(), own, dt.date(2020, 6, 3), status=0)
    finds = first_records(year=2020, user=coordinateur_user)
    assert [f["taxon"] for f in finds] == ["Euroleon nostras"]


def test_rare_and_threatened_taxa_of_the_year(departements, own, coordinateur_user):
    rare = TaxonFactory(scientific_name="Rostraria cristata")
    TaxonStatusFactory(taxon=rare, rarity="RR", red_list="LC")
    threatened = TaxonFactory(scientific_name="Triturus cristatus")
    TaxonStatusFactory(taxon=threatened, rarity="AC", red_list="VU")
    common = TaxonFactory(scientific_name="Turdus merula")
    TaxonStatusFactory(taxon=common)
    for taxon in (rare, threatened, common):
        record(taxon, own, dt.date(2020, 5, 20))
    found = rare_or_threatened(year=2020, user=coordinateur_user)
    assert [(f["taxon"], f["rarity"], f["red_list"]) for f in found] == [
        ("Rostraria cristata", "RR", "LC"),
        ("Triturus cristatus", "AC", "VU"),
    ]


def test_finds_are_indicators_with_the_previous_year(
    client, departements, own, coordinateur_user
):
    record(
        TaxonFactory(scientific_name="Eumodicogryllus bordigalensis"),
        own,
        dt.date(2020, 8, 20),
    )
    record(TaxonFactory(scientific_name="Bubo bubo"), own, dt.date(2019, 8, 20))
    figures = {
        f["key"]: f
        for s in indicators_for_year(2020, coordinateur_user)["sections"]
        for f in s["figures"]
    }
    assert (figures["finds_firsts"]["value"], figures["finds_firsts"]["previous"]) == (
        1,
        1,
    )
    client.force_login(coordinateur_user)
    html = client.get("/indicateurs/2020/").content.decode()
    assert "Eumodicogryllus bordigalensis" in html


def test_coordinators_confirm_comment_and_pick_the_finds_of_the_report(
    client, departements, own, coordinateur_user, saisie_user, tmp_path
):
    kept = record(
        TaxonFactory(scientific_name="Calliptamus italicus"), own, dt.date(2020, 7, 7)
    )
    record(
        TaxonFactory(scientific_name="Rostraria cristata"), own, dt.date(2020, 5, 20)
    )
    url = f"/indicateurs/2020/decouvertes/{kept.uuid}/"
    client.force_login(saisie_user)
    assert client.post(url, {"status": "confirmee"}).status_code == 403
    client.force_login(coordinateur_user)
    response = client.post(
        url,
        {"status": "confirmee", "in_report": "on", "comment": "Première pour le 62"},
    )
    assert response.status_code == 302
    decision = RemarkableFind.objects.get()
    assert (decision.status, decision.in_report, decision.decided_by) == (
        "confirmee",
        True,
        coordinateur_user,
    )
    assert client.post(url, {"status": "inconnu"}).status_code == 400
    finds = first_records(year=2020, user=coordinateur_user)
    assert [(f["taxon"], f["in_report"], f["comment"]) for f in finds] == [
        ("Rostraria cristata", False, ""),
        ("Calliptamus italicus", True, "Première pour le 62"),
    ]
    # Only the picked find goes into the report's sheet.
    out = report_write(
        indicators_for_year(2020, coordinateur_user), tmp_path / "b.xlsx"
    )
    rows = list(
        load_workbook(out)["Découvertes"].iter_rows(min_row=4, values_only=True)
    )
    assert [(r[1], r[7], r[8]) for r in rows] == [
        ("Calliptamus italicus", "Confirmée", "Première pour le 62")
    ]

"""Remarkable finds: a taxon's first valid record in a département (or in the territory
of the reader's organisation) is flagged, its second is not; earlier records of a
subspecies or of another organisation count; a taxon back after more than ten years is a
return; rare and threatened taxa of the year are listed. Earlier years are read from the
presence history (indicateurs.summary), rebuilt here before each reading."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from openpyxl import load_workbook

from indicateurs import finds as finds_module
from indicateurs.finds import rare_or_threatened
from indicateurs.models import RemarkableFind, TaxonPresence
from indicateurs.report import chosen_finds, report_write
from indicateurs.services import indicators_for_year
from indicateurs.summary import presence_summary_refresh
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    TaxonFactory,
    TaxonStatusFactory,
    UserFactory,
    square,
)
from tests.indicateurs.conftest import IN_59, IN_62

pytestmark = pytest.mark.django_db


def first_records(*, year, user, kind="first_departement", refresh=True):
    """The finds of one kind, after a rebuild of the presence history."""
    if refresh:
        presence_summary_refresh()
    return [
        f for f in finds_module.first_records(year=year, user=user) if f["kind"] == kind
    ]


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


def test_first_for_the_territory_of_the_organisation(
    departements, own, organisation, coordinateur_user
):
    """The CPIE works around Loos-en-Gohelle: a record there is a first for its territory
    even when the taxon was seen elsewhere in the Pas-de-Calais before."""
    loos = departements_commune("62528")
    organisation.territory_communes.set([loos])
    elsewhere = (LOOS_X - 30000, LOOS_Y + 100)  # in the 62, outside Loos
    other_commune = CommuneFactory(
        insee="62041",
        name="Arras",
        geom=square(elsewhere[0] - 500, elsewhere[1] - 500, 1000),
    )
    assert other_commune.departement_id == "62"
    bubo = TaxonFactory(scientific_name="Bubo bubo")
    record(bubo, own, dt.date(2012, 4, 1), where=elsewhere)
    first = record(bubo, own, dt.date(2020, 4, 1))
    record(bubo, own, dt.date(2020, 5, 1))
    territory = first_records(year=2020, user=coordinateur_user, kind="first_territory")
    assert [(f["uuid"], f["zone_name"]) for f in territory] == [
        (str(first.uuid), f"territoire {organisation}")
    ]
    assert first_records(year=2020, user=coordinateur_user) == []
    # A user of an organisation without a territory sees no such find.
    organisation.territory_communes.clear()
    assert (
        first_records(year=2020, user=coordinateur_user, kind="first_territory") == []
    )


def departements_commune(insee):
    from referentiel.models import Commune

    return Commune.objects.get(insee=insee)


def test_a_taxon_back_after_more_than_ten_years_is_a_return(
    departements, own, coordinateur_user, settings
):
    settings.INDICATEURS_GAP_YEARS = 10
    back = TaxonFactory(scientific_name="Alytes obstetricans")
    record(back, own, dt.date(2008, 5, 1))
    returned = record(back, own, dt.date(2020, 5, 1))
    recent = TaxonFactory(scientific_name="Epidalea calamita")
    record(recent, own, dt.date(2011, 5, 1))
    record(recent, own, dt.date(2020, 5, 1))
    returns = first_records(year=2020, user=coordinateur_user, kind="return")
    assert [(f["uuid"], f["last_year"], f["departement"]) for f in returns] == [
        (str(returned.uuid), 2008, "62")
    ]
    assert first_records(year=2020, user=coordinateur_user) == []


def test_the_history_is_read_as_last_rebuilt_and_the_year_itself_live(
    departements, own, coordinateur_user
):
    calliptamus = TaxonFactory(scientific_name="Calliptamus italicus")
    record(calliptamus, own, dt.date(2020, 7, 7))
    presence_summary_refresh()
    assert TaxonPresence.objects.get(cd_ref=calliptamus.pk, zone="dep:62").years == [
        2020
    ]
    # A record of the year is seen at once, without a rebuild.
    euroleon = TaxonFactory(scientific_name="Euroleon nostras")
    record(euroleon, own, dt.date(2020, 6, 3))
    assert {
        f["taxon"]
        for f in first_records(year=2020, user=coordinateur_user, refresh=False)
    } == {"Calliptamus italicus", "Euroleon nostras"}
    # An old notebook imported later changes the finds once the history is rebuilt.
    record(calliptamus, own, dt.date(1998, 7, 7))
    assert len(first_records(year=2020, user=coordinateur_user, refresh=False)) == 2
    assert [f["taxon"] for f in first_records(year=2020, user=coordinateur_user)] == [
        "Euroleon nostras"
    ]


def test_decisions_on_rare_taxa_go_into_the_report(
    client, departements, own, coordinateur_user, tmp_path
):
    rare = TaxonFactory(scientific_name="Rostraria cristata")
    TaxonStatusFactory(taxon=rare, rarity="RR", red_list="LC")
    record(rare, own, dt.date(2019, 5, 20))  # not a first in 2020
    anchor = record(rare, own, dt.date(2020, 5, 20))
    record(rare, own, dt.date(2020, 6, 20))
    client.force_login(coordinateur_user)
    response = client.post(
        f"/indicateurs/2020/decouvertes/{anchor.uuid}/",
        {"status": "confirmee", "in_report": "on", "kind": "rare", "comment": "CBNBL"},
    )
    assert response.status_code == 302
    assert RemarkableFind.objects.get().kind == "rare"
    assert (
        client.post(
            f"/indicateurs/2020/decouvertes/{anchor.uuid}/", {"kind": "autre"}
        ).status_code
        == 400
    )
    [found] = rare_or_threatened(year=2020, user=coordinateur_user)
    assert (found["uuid"], found["status"], found["records"]) == (
        str(anchor.uuid),
        "confirmee",
        2,
    )
    out = report_write(
        indicators_for_year(2020, coordinateur_user), tmp_path / "r.xlsx"
    )
    rows = list(
        load_workbook(out)["Découvertes"].iter_rows(min_row=4, values_only=True)
    )
    assert [(r[0], r[1], r[7], r[8]) for r in rows] == [
        (
            "Espèce rare ou menacée (RR / LC, 2 données)",
            "Rostraria cristata",
            "Confirmée",
            "CBNBL",
        )
    ]
    # The printable report lists it too, and the dashboard shows the history's state.
    page = client.get("/indicateurs/2020/imprimer/").content.decode()
    assert "Rostraria cristata" in page and "CBNBL" in page
    dashboard = client.get("/indicateurs/2020/").content.decode()
    assert "jamais calculé" in dashboard
    presence_summary_refresh()
    dashboard = client.get("/indicateurs/2020/").content.decode()
    assert "jamais calculé" not in dashboard and "recalculé le" in dashboard


def test_a_common_taxon_is_never_a_first_mention(
    departements, own, coordinateur_user, settings
):
    """Common by its regional rarity (C, CC), or by its records of the last ten years in
    the instance (every département): the Pigeon ramier new to a département is no find;
    a taxon seen once in the region is."""
    settings.INDICATEURS_COMMON_RECORDS = 4
    pigeon = TaxonFactory(scientific_name="Columba palumbus")
    TaxonStatusFactory(taxon=pigeon, rarity="CC")
    record(pigeon, own, dt.date(2020, 4, 1))
    swallow = TaxonFactory(scientific_name="Hirundo rustica")  # no status
    for year in (2012, 2016, 2019):
        record(swallow, own, dt.date(year, 5, 1), where=IN_59)
    record(swallow, own, dt.date(2020, 5, 1))  # 4 records in ten years
    grasshopper = TaxonFactory(scientific_name="Calliptamus italicus")
    TaxonStatusFactory(taxon=grasshopper, rarity="E")
    for year in (2003, 2005, 2008):  # more than ten years ago: not counted
        record(grasshopper, own, dt.date(year, 7, 1), where=IN_59)
    record(grasshopper, own, dt.date(2020, 7, 7))
    # A genus is no find either.
    record(TaxonFactory(scientific_name="Pieris", rank="GN"), own, dt.date(2020, 6, 9))
    assert [f["taxon"] for f in first_records(year=2020, user=coordinateur_user)] == [
        "Calliptamus italicus"
    ]
    settings.INDICATEURS_COMMON_RECORDS = 5
    assert {f["taxon"] for f in first_records(year=2020, user=coordinateur_user)} == {
        "Calliptamus italicus",
        "Hirundo rustica",
    }


def test_one_find_and_one_decision_per_taxon_and_kind(
    client, departements, own, organisation, coordinateur_user
):
    """New to the Nord, the Pas-de-Calais and the CPIE's territory: one find naming the
    three, whose decision is kept whichever record it is taken from."""
    organisation.territory_communes.set(
        departements_commune(insee) for insee in ("62528", "59350")
    )
    euroleon = TaxonFactory(scientific_name="Euroleon nostras")
    TaxonStatusFactory(taxon=euroleon, rarity="E")
    first = record(euroleon, own, dt.date(2020, 6, 3))
    later = record(euroleon, own, dt.date(2020, 6, 20), where=IN_59)
    finds = finds_module.remarkable_finds(year=2020, user=coordinateur_user)
    [find] = finds["firsts"]
    # Also a rare species (another kind, its own decision), named once in the report.
    assert [f["taxon"] for f in finds["rare_or_threatened"]] == ["Euroleon nostras"]
    for decided in finds["firsts"] + finds["rare_or_threatened"]:
        decided["in_report"] = True
    assert chosen_finds(finds) == ([find], 0)
    assert (find["kind"], find["uuid"], find["zone_name"]) == (
        "first_departement",
        str(first.uuid),
        f"Nord, Pas-de-Calais, territoire {organisation}",
    )
    assert finds["first_territory"] == []
    client.force_login(coordinateur_user)
    for anchor, comment in ((first, "Vu par A. Lemaire"), (later, "Larves")):
        client.post(
            f"/indicateurs/2020/decouvertes/{anchor.uuid}/",
            {"kind": "first_departement", "status": "confirmee", "comment": comment},
        )
    decision = RemarkableFind.objects.get()
    assert (decision.cd_ref, decision.year, decision.comment) == (
        euroleon.cd_ref,
        2020,
        "Larves",
    )
    [find] = first_records(year=2020, user=coordinateur_user, refresh=False)
    assert (find["status"], find["comment"]) == ("confirmee", "Larves")


def test_one_structures_decision_does_not_overwrite_anothers(
    client, departements, organisation, other_organisation, coordinateur_user
):
    shared = DatasetFactory(producer=organisation, is_public=True)
    bubo = TaxonFactory(scientific_name="Bubo bubo")
    anchor = record(bubo, shared, dt.date(2020, 3, 1))
    eden = UserFactory(
        username="coordinateur-eden",
        organisation=other_organisation,
        roles=["coordinateur"],
    )
    client.force_login(coordinateur_user)
    client.post(
        f"/indicateurs/2020/decouvertes/{anchor.uuid}/",
        {"status": "confirmee", "in_report": "on", "comment": "Carrière d'Hersin"},
    )
    client.force_login(eden)
    response = client.post(
        f"/indicateurs/2020/decouvertes/{anchor.uuid}/",
        {"status": "ecartee", "comment": "Donnée du CPIE"},
    )
    assert response.status_code == 302
    assert RemarkableFind.objects.count() == 2
    mine, theirs = (
        first_records(year=2020, user=user, refresh=False)
        for user in (coordinateur_user, eden)
    )
    assert [(f["status"], f["in_report"], f["comment"]) for f in mine] == [
        ("confirmee", True, "Carrière d'Hersin")
    ]
    assert [(f["status"], f["in_report"], f["comment"]) for f in theirs] == [
        ("ecartee", False, "Donnée du CPIE")
    ]

"""The summaries of the occurrences (AtlasCount, CellCount, FineCellCount): kept exact by the triggers
whatever changes the records, and read for a user exactly as visible_to reads the records
(the cells' reading per reader and level is in test_blurring)."""

import datetime as dt

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from observations.atlas import (
    atlas_contributions,
    atlas_contributions_by_year,
    atlas_counts_visible,
)
from observations.models import AtlasCount, CellCount, FineCellCount, Occurrence
from observations.models.summaries import summaries_rebuild
from referentiel.models import AtlasGroup, Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import DatasetFactory, TaxonFactory, UserFactory

pytestmark = pytest.mark.django_db


def _truth() -> set[tuple]:
    """The summary computed from the records themselves."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(year FROM date_start)::int, dataset_id, taxon_id,"
            " atlas_group_id, sensitivity_level = 4,"
            " CASE WHEN sensitivity_level = 4 THEN created_by_id END, count(*)"
            " FROM observations_occurrence WHERE observation_status = 'Pr'"
            " GROUP BY 1, 2, 3, 4, 5, 6"
        )
        return set(cursor.fetchall())


def _cells_truth() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT grid_10km, CASE WHEN sensitivity_level IN (1, 3)"
            " AND blurred_geom IS NOT NULL THEN '10kmL93E'"
            " || lpad(floor(ST_X(ST_PointOnSurface(blurred_geom)) / 10000)::int::text,"
            " 3, '0') || 'N' || lpad(floor(ST_Y(ST_PointOnSurface(blurred_geom))"
            " / 10000)::int::text, 3, '0') ELSE '' END, sensitivity_level, dataset_id,"
            " CASE WHEN sensitivity_level > 0 THEN created_by_id END, count(*)"
            " FROM observations_occurrence GROUP BY 1, 2, 3, 4, 5"
        )
        return set(cursor.fetchall())


def _cells_kept() -> set[tuple]:
    return set(
        CellCount.objects.values_list(
            "grid_10km",
            "blurred_cell",
            "sensitivity_level",
            "dataset_id",
            "created_by_id",
            "records",
        )
    )


def _fine_truth() -> set[tuple]:
    blurred = "sensitivity_level BETWEEN 1 AND 3 AND blurred_geom IS NOT NULL"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT floor(ST_X(ST_PointOnSurface(geom)) / 1000)::int,"
            " floor(ST_Y(ST_PointOnSurface(geom)) / 1000)::int,"
            f" CASE WHEN {blurred} THEN"
            " floor(ST_X(ST_PointOnSurface(blurred_geom)) / 1000)::int END,"
            f" CASE WHEN {blurred} THEN"
            " floor(ST_Y(ST_PointOnSurface(blurred_geom)) / 1000)::int END,"
            " sensitivity_level, dataset_id,"
            " CASE WHEN sensitivity_level > 0 THEN created_by_id END, count(*)"
            " FROM observations_occurrence GROUP BY 1, 2, 3, 4, 5, 6, 7"
        )
        return set(cursor.fetchall())


def _fine_kept() -> set[tuple]:
    return set(
        FineCellCount.objects.values_list(
            "i",
            "j",
            "bi",
            "bj",
            "sensitivity_level",
            "dataset_id",
            "created_by_id",
            "records",
        )
    )


def _kept() -> set[tuple]:
    return set(
        AtlasCount.objects.values_list(
            "year",
            "dataset_id",
            "taxon_id",
            "atlas_group_id",
            "hidden",
            "created_by_id",
            "records",
        )
    )


@pytest.fixture
def world(organisation, other_organisation, saisie_user):
    amphibians = AtlasGroup.objects.get(code="amphibiens")
    frog = TaxonFactory(
        cd_nom=9_100_001, cd_ref=9_100_001, rank="ES", atlas_group=amphibians
    )
    toad = TaxonFactory(
        cd_nom=9_100_002, cd_ref=9_100_002, rank="ES", atlas_group=amphibians
    )
    own = DatasetFactory(producer=organisation, is_public=False)
    public = DatasetFactory(producer=other_organisation, is_public=True)
    private = DatasetFactory(producer=other_organisation, is_public=False)
    records = []
    for index in range(24):
        records.append(
            OccurrenceFactory(
                taxon=(frog, toad)[index % 2],
                dataset=(own, public, private)[index % 3],
                date_start=dt.date(2019 + index % 2, 4, 1 + index),
                observation_status="No" if index % 7 == 0 else "Pr",
                count_min=0 if index % 7 == 0 else 1,
                count_max=0 if index % 7 == 0 else 1,
                created_by=saisie_user if index % 5 == 0 else None,
            )
        )
    # Level 4 (dropped for a reader without clearance unless theirs), set as the
    # sensitivity refresh would: some in the staff's organisation, some entered by them.
    Occurrence.objects.filter(pk__in=[r.pk for r in records[::4]]).update(
        sensitivity_level=4
    )
    # Blurred to a commune (level 1): shown in the cell of that area, 30 km away.
    Occurrence.objects.filter(pk__in=[r.pk for r in records[1::6]]).update(
        sensitivity_level=1,
        blurred_geom=GEOSGeometry(
            "SRID=2154;POLYGON((690000 7030000, 692000 7030000, 692000 7032000,"
            " 690000 7032000, 690000 7030000))"
        ),
    )
    return {
        "frog": frog,
        "toad": toad,
        "own": own,
        "public": public,
        "private": private,
    }


def _exact() -> bool:
    return (
        _kept() == _truth()
        and _cells_kept() == _cells_truth()
        and _fine_kept() == _fine_truth()
    )


def test_the_triggers_keep_the_counts_exact_through_every_kind_of_change(world):
    assert _exact() and _kept() and _cells_kept()
    assert any(blurred for _, blurred, *_ in _cells_kept())
    assert any(bi is not None for _, _, bi, *_ in _fine_kept())
    Occurrence.objects.filter(dataset=world["public"]).update(
        date_start=dt.date(2018, 6, 1), date_end=dt.date(2018, 6, 1)
    )
    assert _exact()
    Occurrence.objects.filter(taxon=world["toad"]).update(observation_status="No")
    assert _exact()
    Occurrence.objects.filter(sensitivity_level=1).update(
        sensitivity_level=0, blurred_geom=None
    )
    assert _exact()
    Occurrence.objects.filter(dataset=world["own"]).delete()
    assert _exact()
    # Emptied keys leave no zero rows behind.
    assert not AtlasCount.objects.filter(records=0).exists()
    assert not CellCount.objects.filter(records=0).exists()
    assert not FineCellCount.objects.filter(records=0).exists()
    with connection.cursor() as cursor:
        # The deferred checks of the test's transaction first: TRUNCATE refuses to run
        # with trigger events pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE observations_occurrence CASCADE")
    assert not AtlasCount.objects.exists() and not CellCount.objects.exists()
    assert not FineCellCount.objects.exists()


def test_a_rebuild_gives_what_the_triggers_kept(world):
    kept, cells, fine = _kept(), _cells_kept(), _fine_kept()
    rebuilt = summaries_rebuild()
    assert rebuilt == {
        "observations_atlascount": len(kept),
        "observations_cellcount": len(cells),
        "observations_finecellcount": len(fine),
    }
    assert _kept() == kept and _cells_kept() == cells and _fine_kept() == fine
    assert _exact()


def _users(organisation, other_organisation, saisie_user, partenaire_user):
    regional = UserFactory(
        username="regional",
        organisation=organisation,
        is_regional=True,
        roles=[Role.COORDINATEUR],
    )
    return {
        "regional": regional,
        "saisie": saisie_user,
        "partenaire": partenaire_user,
    }


def _lines(table) -> list[tuple]:
    return [(g.code, g.records, g.species) for g in table.groups] + [
        (table.total.records, table.total.species)
    ]


def test_the_summary_reads_what_visible_to_reads(
    world, organisation, other_organisation, saisie_user, partenaire_user
):
    users = _users(organisation, other_organisation, saisie_user, partenaire_user)
    totals = {}
    for name, user in users.items():
        assert atlas_counts_visible(user) is not None, name
        from_summary = atlas_contributions_by_year(years=[2019, 2020], user=user)
        queryset = Occurrence.objects.visible_to(user)
        for year in (2019, 2020):
            from_records = atlas_contributions(year=year, queryset=queryset)
            assert _lines(from_summary[year]) == _lines(from_records), (name, year)
        totals[name] = from_summary[2020].total.records
    # The scopes differ, so the comparison above compared something.
    assert totals["regional"] > totals["saisie"] and totals["partenaire"] > 0


def test_readers_the_summary_cannot_tell_read_the_records(world):
    own_only = UserFactory(username="sans-role", roles=[])
    assert atlas_counts_visible(own_only) is None
    table = atlas_contributions(year=2020, user=own_only)
    expected = atlas_contributions(
        year=2020, queryset=Occurrence.objects.visible_to(own_only)
    )
    assert _lines(table) == _lines(expected)


def test_the_page_and_the_api_show_the_counts_of_the_summary(
    api_client, client, world, coordinateur_user
):
    expected = atlas_contributions(
        year=2020, queryset=Occurrence.objects.visible_to(coordinateur_user)
    )
    amphibians = next(g for g in expected.groups if g.code == "amphibiens")
    assert amphibians.records > 0
    api_client.force_authenticate(coordinateur_user)
    data = api_client.get("/api/v1/atlas/", {"year": 2020}).json()
    line = next(g for g in data["groups"] if g["code"] == "amphibiens")
    assert (line["records"], line["species"]) == (
        amphibians.records,
        amphibians.species,
    )
    client.force_login(coordinateur_user)
    page = client.get("/observations/atlas/", {"year": 2020}).content.decode()
    assert "Amphibiens" in page

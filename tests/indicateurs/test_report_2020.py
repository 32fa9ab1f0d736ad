"""The 2020 activity report of CPIE Chaîne des Terrils, reproduced by the demo (issue 22).

The report's Action 1 data figures are transcribed below from its text (docs/report-2020.md)
and compared with what the dashboard computes for the demo's coordinator of the CPIE. The
figures the demo cannot reach are listed with the reason, and the test checks that reason
still holds: a regional pool too short for the group (no taxon code is made up). When
taxa are added to the pool, the gap test fails and the figure moves to the exact ones.

The whole demo is loaded once (``load_demo``, about a minute on the test database).
"""

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from indicateurs.services import indicators_for_year
from observations.atlas import SPECIES_OR_BELOW
from observations.models import DataExchange, Occurrence, Source
from observations.services import occurrences_refresh_derived
from referentiel.demo.reference import regional_pool
from referentiel.models import Organisation, Taxon, User

# Action 1, "Atlas contributions 2020 (records / species)".
REPORT_ATLAS_2020 = {
    "rhopaloceres": (285, 28),
    "odonates": (55, 17),
    "coccinelles": (361, 35),
    "orthopteres": (359, 22),
    "oiseaux": (1457, 120),
    "mammiferes": (35, 12),
    "amphibiens": (389, 12),
    "reptiles": (51, 2),
    "heteroceres": (339, 152),
    "abeilles": (385, 54),
    "syrphes": (265, 40),
    "araignees": (4, 2),
    "punaises": (2, 1),
    "flore": (3203, 517),
}
# Action 1, "7,208 records entered in 2020: 3,203 flora, 4,005 fauna".
REPORT_RECORDS_2020 = {"records": 7208, "records_flora": 3203, "records_fauna": 4005}

# Action 1, "Wetlands International mid-winter waterbird count: 129 records of 28 species
# on 17 sites".
REPORT_WATERBIRDS_2020 = {"records": 129, "species": 28, "sites": 17}

# Action 1, "Data exchanges in 2020": SAPOLL 3,152; ONF 1,814 + 341; Eden 62 226, and
# 10,195 + 1,165 — 4 exchanges (the indicators' "number and kind of data exchanges (4)").
REPORT_EXCHANGES_2020 = {
    "count": 4,
    "rows": {"SAPOLL": 3152, "ONF": 1814 + 341, "Eden 62": 226 + 10195 + 1165},
}

# Action 1, "Remarkable finds 2020" (docs/report-2020.md): first records for a département
# and rarities. Euroleon nostras and Eumodicogryllus bordigalensis are not in the demo: the
# shipped taxon lists hold no real TAXREF code for them (none is made up).
REPORT_FINDS_2020 = {
    "Calliptamus italicus",
    "Bubo bubo",
    "Petrorhagia saxifraga",
    "Rostraria cristata",
}
REPORT_FINDS_MISSING = {"Euroleon nostras", "Eumodicogryllus bordigalensis"}

# Reproduced exactly, records and species.
EXACT = ("amphibiens", "reptiles", "rhopaloceres", "flore")
# Records exact, species short: the pool's birds (81) are fewer than the report's 120.
RECORDS_ONLY = ("oiseaux",)
# Out of reach: the regional pool holds less than half the report's species, so the demo
# draws proportionally fewer records (observations/demo/specs.py).
OUT_OF_REACH = (
    "odonates",
    "coccinelles",
    "orthopteres",
    "mammiferes",
    "heteroceres",
    "abeilles",
    "syrphes",
    "araignees",
    "punaises",
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with (
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        call_command("load_demo", "--departements", "59", "62", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def coordinator(demo):
    return User.objects.get(username="coordinateur")


def figures_of(indicators: dict) -> dict:
    return {
        figure["key"]: figure["value"]
        for section in indicators["sections"]
        for figure in section["figures"]
    }


def atlas_of(indicators: dict) -> dict:
    return {
        g["code"]: (g["records"], g["species"])
        for g in indicators["details"]["atlas"]["groups"]
    }


def pool_species(group: str) -> int:
    codes = [c for c, g in regional_pool().items() if g == group]
    return Taxon.objects.filter(
        cd_nom__in=codes, rank__in=SPECIES_OR_BELOW, rank="ES"
    ).count()


def test_the_groups_cover_the_report():
    assert set(EXACT + RECORDS_ONLY + OUT_OF_REACH) == set(REPORT_ATLAS_2020)


@pytest.mark.django_db
def test_2020_action_1_figures_are_the_reports(demo, coordinator):
    indicators = indicators_for_year(2020, coordinator)
    atlas = atlas_of(indicators)
    for group in EXACT:
        assert atlas[group] == REPORT_ATLAS_2020[group], group
    for group in RECORDS_ONLY:
        records, species = REPORT_ATLAS_2020[group]
        assert atlas[group][0] == records, group
        assert atlas[group][1] < species
        assert pool_species(group) < species, f"{group}: the pool can now reach it"
    for group in OUT_OF_REACH:
        records, species = REPORT_ATLAS_2020[group]
        assert pool_species(group) < species / 2, f"{group}: the pool can now reach it"
        assert atlas[group][0] < records, group
    figures = figures_of(indicators)
    # Flora is only its atlas group: the report's 3,203.
    assert figures["records_flora"] == REPORT_RECORDS_2020["records_flora"]
    # Fauna: the report's 4,005 less what the groups out of reach lack.
    lacking = sum(
        REPORT_ATLAS_2020[g][0] - atlas[g][0] for g in OUT_OF_REACH if g in atlas
    )
    assert figures["records_fauna"] == REPORT_RECORDS_2020["records_fauna"] - lacking
    assert figures["records"] == figures["records_fauna"] + figures["records_flora"]
    # The waterbird count: records and sites; its species are the pool's 9 waterbirds.
    assert figures["waterbirds_records"] == REPORT_WATERBIRDS_2020["records"]
    assert figures["waterbirds_sites"] == REPORT_WATERBIRDS_2020["sites"]
    assert 0 < figures["waterbirds_species"] < REPORT_WATERBIRDS_2020["species"]
    # The exchanges, made outside the app and recorded by hand.
    assert figures["exchanges"] == REPORT_EXCHANGES_2020["count"]
    rows = {
        r["name"]: r["rows"] for r in indicators["details"]["exchanges"]["recipients"]
    }
    assert rows == REPORT_EXCHANGES_2020["rows"]
    assert figures["exchanged_rows"] == sum(REPORT_EXCHANGES_2020["rows"].values())
    # Outreach of action 1: "4 popularisation, 8 awareness, 7 training days with 45
    # participants".
    assert figures["a1_popularisation"] == 4
    assert figures["a1_awareness"] == 8
    assert figures["a1_training_days"] == 7
    assert figures["a1_trained"] == 45
    # Action 2: "people trained or made aware (411 = 250 + 115 + 28 + 18)".
    assert figures["a2_trained_or_aware"] == 411
    # The winter bat counts of the structure's hibernacula (no figure in the report).
    assert figures["bats_sites"] > 0 and figures["bats_individuals"] > 0
    # Ringing captures are counted in the ringing table, not in atlas contributions.
    assert indicators["details"]["ringing"]["rings"] > 3500
    ringing = Occurrence.objects.filter(
        source=Source.BAGUAGE, date_start__year=2020, observation_status="Pr"
    ).count()
    assert ringing > 3000
    assert atlas["oiseaux"][0] == 1457


@pytest.mark.django_db
def test_no_demo_taxon_lives_outside_the_region(demo):
    pool = regional_pool()
    used = set(Occurrence.objects.values_list("taxon_id", flat=True).distinct())
    assert used and used <= set(pool), sorted(used - set(pool))
    # The Mediterranean and Corsican species of the issue.
    outside = Taxon.objects.filter(
        scientific_name__in=["Testudo hermanni", "Hyla sarda", "Discoglossus sardus"]
    )
    assert outside.exists()
    assert not Occurrence.objects.filter(taxon__in=outside).exists()
    from terrils.models import PatrimonialSpecies

    listed = set(PatrimonialSpecies.objects.values_list("taxon_id", flat=True))
    assert listed and listed <= set(pool)


def _copy(record: Occurrence, **changes) -> Occurrence:
    record.pk = None
    record.uuid = uuid.uuid4()
    record.source_key = f"test-{uuid.uuid4()}"
    for name, value in changes.items():
        setattr(record, name, value)
    record.save()
    occurrences_refresh_derived(ids=[record.pk])
    return record


@pytest.mark.django_db
def test_one_more_record_moves_its_figures_by_one(demo, coordinator):
    before = indicators_for_year(2020, coordinator)
    flora = Occurrence.objects.filter(
        dataset__short_title="ATLAS",
        atlas_group__code="flore",
        date_start__year=2020,
        observation_status="Pr",
    ).first()
    _copy(flora, date_start=dt.date(2020, 6, 2), date_end=dt.date(2020, 6, 2))
    # A ringing capture is no atlas contribution: it moves nothing here.
    bird = Occurrence.objects.filter(
        source=Source.BAGUAGE, date_start__year=2020
    ).first()
    _copy(bird)
    after = indicators_for_year(2020, coordinator)
    old, new = figures_of(before), figures_of(after)
    for key in ("records", "records_flora"):
        assert new[key] == old[key] + 1, key
    assert new["records_fauna"] == old["records_fauna"]
    assert atlas_of(after)["flore"][0] == atlas_of(before)["flore"][0] + 1
    assert atlas_of(after)["oiseaux"] == atlas_of(before)["oiseaux"]


@pytest.mark.django_db
def test_an_exchange_recorded_by_hand_moves_the_exchanges(demo, coordinator):
    before = figures_of(indicators_for_year(2020, coordinator))
    cen = Organisation.objects.get(short_name="CEN HdF")
    exchange = DataExchange(
        organisation=coordinator.organisation,
        partner=cen,
        date=dt.date(2020, 12, 1),
        content="Orthoptères des terrils gérés par le CEN",
        fauna_rows=120,
    )
    exchange.full_clean()
    exchange.save()
    after = figures_of(indicators_for_year(2020, coordinator))
    assert after["exchanges"] == before["exchanges"] + 1
    assert after["exchanged_rows"] == before["exchanged_rows"] + 120
    # Recorded by hand with no data, or with one's own structure: a French error.
    for wrong in (
        DataExchange(
            organisation=coordinator.organisation,
            partner=cen,
            date=dt.date(2020, 12, 2),
            content="Rien",
        ),
        DataExchange(
            organisation=coordinator.organisation,
            partner=coordinator.organisation,
            date=dt.date(2020, 12, 2),
            content="Soi-même",
            flora_rows=3,
        ),
    ):
        with pytest.raises(ValidationError) as error:
            wrong.full_clean()
        assert "données échangées" in str(error.value) or "autre structure" in str(
            error.value
        )


@pytest.mark.django_db
def test_2020_finds_are_the_reports_few(demo, coordinator):
    """The finds a coordinator reads for 2020 are the report's (4 of its 6, the other two
    have no taxon code in the demo), each taxon once per kind of find (a first mention,
    and a rare species of the regional referential), never a common species."""
    finds = indicators_for_year(2020, coordinator)["details"]["finds"]
    every = finds["firsts"] + finds["rare_or_threatened"]
    taxa = {f["taxon"] for f in every}
    assert REPORT_FINDS_2020 <= taxa, sorted(REPORT_FINDS_2020 - taxa)
    assert len(taxa) <= 8, sorted(taxa)
    assert len({(f["cd_ref"], f["kind"]) for f in every}) == len(every)
    assert not taxa & {"Columba palumbus", "Hirundo rustica", "Turdus merula"}
    assert {f["taxon"] for f in finds["first_departement"]} >= {
        "Calliptamus italicus",
        "Petrorhagia saxifraga",
        "Rostraria cristata",
    }
    assert not Taxon.objects.filter(scientific_name__in=REPORT_FINDS_MISSING).exists()

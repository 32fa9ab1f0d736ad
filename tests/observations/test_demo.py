"""Demo occurrences: idempotent, valid, derived fields filled, close to the 2020 report."""

from io import StringIO

import pytest
from django.db.models import Count, Q
from django.test import override_settings

from observations.atlas import atlas_contributions
from observations.demo import load_demo
from observations.demo.build import KEY_PREFIX
from observations.demo.specs import HISTORY_DATASETS, HISTORY_YEARS
from observations.models import Occurrence, Source
from observations.services import nomenclature_labels
from referentiel.demo.reference import demo_taxa_codes
from tests.demo_db import demo_database


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, demo_media):
    """The whole demo (referential, then occurrences: ``load_demo --departements 59 62``),
    a copy of the demo template for this module (tests/demo_db.py)."""
    # The demo's photo files (newt bellies): copied into a temporary MEDIA_ROOT.
    with (
        override_settings(MEDIA_ROOT=demo_media),
        django_db_blocker.unblock(),
        demo_database("demo", demo_media),
    ):
        yield


def demo_occurrences():
    return Occurrence.objects.filter(source_key__startswith=KEY_PREFIX)


@pytest.mark.django_db
def test_a_second_run_adds_nothing(demo):
    before = demo_occurrences().count()
    output = StringIO()
    load_demo(stdout=output)
    assert demo_occurrences().count() == before
    assert "0 observations de démonstration créées" in output.getvalue()
    assert before > 15000


@pytest.mark.django_db
def test_every_demo_occurrence_is_valid_and_derived(demo):
    occurrences = demo_occurrences()
    assert not occurrences.filter(
        Q(commune__isnull=True)
        | Q(departement__isnull=True)
        | Q(grid_10km="")
        | Q(atlas_group__isnull=True)
        | Q(communes=[])
    ).exists()
    # The database CHECK constraints (territory, dates, counts) held for the COPY;
    # the SINP codes are checked here, as the services would.
    for field, mnemonic in Occurrence.NOMENCLATURES.items():
        used = set(occurrences.values_list(field, flat=True).distinct())
        assert used <= set(nomenclature_labels(mnemonic)), field
    assert set(occurrences.values_list("taxon_id", flat=True)) <= demo_taxa_codes()
    assert set(occurrences.values_list("date_start__year", flat=True)) == {
        2019,
        2020,
        2021,
    } | set(HISTORY_YEARS)
    # Before 2019, only the partners' history that the finds are read against.
    older = occurrences.filter(date_start__year__lt=2019)
    assert set(older.values_list("dataset__short_title", flat=True)) == set(
        HISTORY_DATASETS.values()
    )
    no_observer = occurrences.annotate(n=Count("observers")).filter(n=0)
    assert set(no_observer.values_list("dataset__short_title", flat=True)) <= {
        "ONF-TERRILS"
    }


@pytest.mark.django_db
def test_demo_has_a_validation_queue_absences_and_sensitive_records(demo):
    occurrences = demo_occurrences()
    total = occurrences.count()
    validated = occurrences.filter(validation_status__in=[1, 2]).count()
    assert 0.85 < validated / total < 0.95
    assert occurrences.filter(validation_status=0).count() > 500
    # Absences ("nothing found" of POP Amphibien) are published by the wetlands demo,
    # the single source of the POP-AMPHIBIEN dataset: 152 in 2020.
    assert (
        Occurrence.objects.filter(
            observation_status="No", dataset__short_title="POP-AMPHIBIEN"
        ).count()
        > 100
    )
    assert occurrences.filter(sensitivity_level__gt=0).exists()
    assert not occurrences.filter(
        validation_status__in=[1, 2], validator__isnull=True
    ).exists()


@pytest.mark.django_db
def test_2020_is_close_to_the_report(demo):
    # The observations demo draws the report's atlas figures less what the protocol
    # apps' demos publish in the structure's datasets (terril evaluation, POP, campaign:
    # specs.elsewhere_2020), plus the partners' datasets on top (imports). The report's
    # figures themselves are compared in tests/indicateurs/test_report_2020.py.
    records = Occurrence.objects.filter(source__in=[Source.SAISIE, Source.IMPORT])
    table = atlas_contributions(year=2020, queryset=records)
    figures = {g.code: (g.records, g.species) for g in table.groups}
    birds, amphibians, flora = (
        figures["oiseaux"],
        figures["amphibiens"],
        figures["flore"],
    )
    # 1,457 less 390 of the terril evaluation, with the partners' records on top; the
    # report's 120 species (the pool's rare birds are not drawn at random, but Bubo bubo
    # is, as a find).
    assert 1150 < birds[0] < 1400 and birds[1] == 120
    # Amphibians: the report's 389 less the 237 POP Amphibien presences, which the
    # wetlands demo publishes (source zones_humides, not counted here), 12 of the terril
    # evaluation and 5 of the campaign.
    assert amphibians == (389 - 237 - 12 - 5, 12)
    pop = Occurrence.objects.filter(
        dataset__short_title="POP-AMPHIBIEN", date_start__year=2020
    )
    assert (
        pop.filter(source=Source.ZONES_HUMIDES, observation_status="Pr").count() == 237
    )
    assert not pop.exclude(source=Source.ZONES_HUMIDES).exists()
    everything = atlas_contributions(year=2020, queryset=Occurrence.objects.all())
    all_amphibians = {g.code: g.records for g in everything.groups}["amphibiens"]
    assert 380 < all_amphibians
    assert 3203 - 244 < flora[0] < 3800 and flora[1] == 517
    assert figures["reptiles"][1] == 2
    # The report's 359 less the terril evaluation's 239; its 22 species, the two finds
    # (Calliptamus italicus at Oignies, Eumodicogryllus bordigalensis at Estevelles) among
    # them.
    assert figures["orthopteres"] == (359 - 239, 22)

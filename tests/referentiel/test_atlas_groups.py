"""Atlas groups are data: rules assign taxa, editing rules reclassifies, in a real worker too."""

import pytest
from celery.contrib.testing.worker import start_worker

from cpie_naturaliste.celery import app as celery_app
from referentiel.models import AtlasGroup, AtlasGroupRule, Nomenclature, Taxon
from referentiel.services.taxa import (
    atlas_rules_load,
    taxa_refresh_atlas_groups,
    taxon_assign_atlas_group,
)
from referentiel.tasks import refresh_atlas_groups
from tests.factories.referentiel import TaxonFactory


def make(name, **classification):
    return TaxonFactory(scientific_name=name, **classification)


@pytest.mark.django_db
def test_default_groups_and_nomenclatures_are_loaded_by_migration():
    codes = set(AtlasGroup.objects.values_list("code", flat=True))
    assert {"oiseaux", "chiropteres", "rhopaloceres", "heteroceres", "flore"} <= codes
    assert Nomenclature.objects.of_type("STATUT_VALID").count() == 7
    assert (
        Nomenclature.objects.get(type__mnemonic="STATUT_OBS", code="No").label
        == "Non observé"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("classification", "expected"),
    [
        ({"class_name": "Aves"}, "oiseaux"),
        ({"class_name": "Mammalia", "order_name": "Chiroptera"}, "chiropteres"),
        ({"class_name": "Mammalia", "order_name": "Carnivora"}, "mammiferes"),
        ({"order_name": "Lepidoptera", "family": "Nymphalidae"}, "rhopaloceres"),
        ({"order_name": "Lepidoptera", "family": "Noctuidae"}, "heteroceres"),
        ({"order_name": "Coleoptera", "family": "Coccinellidae"}, "coccinelles"),
        ({"order_name": "Diptera", "family": "Syrphidae"}, "syrphes"),
        ({"kingdom": "Plantae"}, "flore"),
        ({"order_name": "Coleoptera", "family": "Carabidae"}, None),
    ],
)
def test_rules_assign_the_most_specific_group(classification, expected):
    taxon = make("Testus testus", **classification)
    taxon_assign_atlas_group(taxon=taxon, rules=atlas_rules_load())
    assert (taxon.atlas_group.code if taxon.atlas_group else None) == expected


@pytest.mark.django_db
def test_refresh_after_a_rule_change_reclassifies_in_bulk():
    aranea = make("Araneus diadematus", order_name="Araneae")
    opilio = make("Phalangium opilio", order_name="Opiliones")
    assert taxa_refresh_atlas_groups() >= 1
    aranea.refresh_from_db()
    assert aranea.atlas_group.code == "araignees"
    AtlasGroupRule.objects.create(
        group=AtlasGroup.objects.get(code="araignees"),
        field="order_name",
        value="Opiliones",
    )
    assert taxa_refresh_atlas_groups() == 1  # only the changed taxon is rewritten
    opilio.refresh_from_db()
    assert opilio.atlas_group.code == "araignees"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_refresh_task_runs_in_a_real_celery_worker():
    bird = make("Alauda arvensis", class_name="Aves")
    assert Taxon.objects.get(pk=bird.pk).atlas_group is None
    with start_worker(
        celery_app, perform_ping_check=False, pool="solo", loglevel="WARNING"
    ):
        changed = refresh_atlas_groups.delay().get(timeout=30)
    assert changed >= 1
    assert Taxon.objects.get(pk=bird.pk).atlas_group.code == "oiseaux"

"""The read rule of protocol records (``observations.policy``) for each kind of reader."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.geos import Point

from indicateurs.models import RemarkableFind
from observations.policy import (
    hidden_occurrences,
    hidden_records,
    placeable_records,
    prefixed,
    record_placeable_q,
)
from referentiel.models import Role, SensitivityRule
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    DatasetFactory,
    OrganisationFactory,
    TaxonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org_a = OrganisationFactory(name="A")
    org_b = OrganisationFactory(name="B")
    sensitive = TaxonFactory(scientific_name="Myotis sensibilis")
    SensitivityRule.objects.create(taxon=sensitive, level=2)
    common = TaxonFactory(scientific_name="Rana communis")
    public_b = DatasetFactory(producer=org_b, is_public=True)
    private_b = DatasetFactory(producer=org_b, is_public=False)
    point = Point(LOOS_X + 100, LOOS_Y + 100, srid=2154)
    records = {
        "sensitive": OccurrenceFactory(
            taxon=sensitive, dataset=public_b, geom=point, validation_status=1
        ),
        "common": OccurrenceFactory(
            taxon=common, dataset=public_b, geom=point, validation_status=1
        ),
        "private": OccurrenceFactory(
            taxon=common, dataset=private_b, geom=point, validation_status=1
        ),
    }
    readers = {
        "anonymous": AnonymousUser(),
        "partner_a": UserFactory(organisation=org_a, roles=[Role.PARTENAIRE]),
        "saisie_b": UserFactory(organisation=org_b, roles=[Role.SAISIE]),
        "regional": UserFactory(
            organisation=org_a, roles=[Role.COORDINATEUR], is_regional=True
        ),
    }
    return records, readers


EXPECTED_PLACEABLE = {
    "anonymous": {"common"},
    "partner_a": {"common"},
    "saisie_b": {"sensitive", "common", "private"},
    "regional": {"sensitive", "common", "private"},
}


@pytest.mark.parametrize("reader", sorted(EXPECTED_PLACEABLE))
def test_placeable_and_hidden_split_the_records(world, reader):
    records, readers = world
    user = readers[reader]
    names = {occurrence.pk: name for name, occurrence in records.items()}
    # A protocol-like row per record (a find decision points to its occurrence).
    for occurrence in records.values():
        RemarkableFind.objects.create(
            occurrence=occurrence, kind="rare", cd_ref=occurrence.pk
        )
    placeable = placeable_records(RemarkableFind.objects.all(), user)
    hidden = hidden_records(RemarkableFind.objects.all(), user)
    assert {names[f.occurrence_id] for f in placeable} == EXPECTED_PLACEABLE[reader]
    assert {names[f.occurrence_id] for f in hidden} == (
        set(records) - EXPECTED_PLACEABLE[reader]
    )
    assert {names[o.pk] for o in hidden_occurrences(user)} == (
        set(records) - EXPECTED_PLACEABLE[reader]
    )


def test_a_reader_who_sees_everything_hides_nothing(world):
    """Q(a) | Q() is Q(a) in Django: the rule must not OR an empty condition."""
    _, readers = world
    assert not record_placeable_q(readers["regional"])
    assert not hidden_occurrences(readers["regional"]).exists()
    assert not hidden_records(
        RemarkableFind.objects.all(), readers["regional"]
    ).exists()


def test_prefixed_reaches_through_a_relation():
    from django.db.models import Q

    condition = Q(a=1) | (Q(b__in=[1, 2]) & ~Q(c=3))
    assert str(prefixed(condition, "occurrence__")) == str(
        Q(occurrence__a=1) | (Q(occurrence__b__in=[1, 2]) & ~Q(occurrence__c=3))
    )

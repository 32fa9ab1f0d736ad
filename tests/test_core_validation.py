"""Model validation without its round trips (cpie_naturaliste/core/validation.py): the
same French errors as full_clean, from one query (check_constraints) or from the save
itself (save_validated), and never a half-written row."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from cpie_naturaliste.core.validation import check_constraints, save_validated
from observations.models import Occurrence
from observations.services import occurrence_publish
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import LOOS_X, LOOS_Y, DatasetFactory, TaxonFactory

pytestmark = pytest.mark.django_db

PARIS = Point(652000, 6862000, srid=2154)
OUT_OF_TERRITORY = (
    "La localisation est hors du territoire (Hauts-de-France et ses abords)."
)
DATES = "La date de début doit précéder la date de fin."


def _occurrence(**fields) -> Occurrence:
    values = {
        "dataset": DatasetFactory(),
        "taxon": TaxonFactory(),
        "date_start": dt.date(2020, 5, 12),
        "date_end": dt.date(2020, 5, 12),
        "geom": Point(LOOS_X, LOOS_Y, srid=2154),
        "count_min": 1,
        "count_max": 1,
    }
    return Occurrence(**(values | fields))


def test_check_constraints_reports_every_violated_constraint_in_one_query(
    django_assert_max_num_queries,
):
    occurrence = _occurrence(geom=PARIS, date_start=dt.date(2020, 6, 1))
    with django_assert_max_num_queries(3), pytest.raises(ValidationError) as refused:
        check_constraints(occurrence)  # a savepoint, the SELECT, its release
    assert sorted(refused.value.message_dict[NON_FIELD_ERRORS]) == [
        DATES,
        OUT_OF_TERRITORY,
    ]
    check_constraints(_occurrence())  # a valid record passes
    # A constraint on an excluded field is not evaluated, as in full_clean.
    check_constraints(occurrence, exclude=["geom", "date_start"])


def test_save_validated_turns_a_violation_into_the_constraints_message():
    occurrence = _occurrence(geom=PARIS)
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        save_validated(occurrence)
    assert refused.value.message_dict == {NON_FIELD_ERRORS: [OUT_OF_TERRITORY]}
    assert not Occurrence.objects.exists()
    # A unique field taken: its field's message, keyed by the field.
    existing = OccurrenceFactory()
    with pytest.raises(ValidationError) as taken, transaction.atomic():
        save_validated(_occurrence(uuid=existing.uuid))
    assert list(taken.value.message_dict) == ["uuid"]


def test_a_protocol_row_refused_by_the_database_leaves_nothing(saisie_user):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    # Inside the protocol service's transaction, as a protocol app calls it.
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        occurrence_publish(
            occurrence=None,
            user=saisie_user,
            source="baguage",
            dataset=dataset,
            taxon=TaxonFactory(),
            date_start=dt.date(2020, 5, 12),
            geom=PARIS,
            count_min=1,
            count_max=1,
        )
    assert OUT_OF_TERRITORY in refused.value.messages
    assert not Occurrence.objects.exists()

"""Occurrence services: checks with French messages, derived fields, history, validation."""

import datetime as dt

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from observations.models import Occurrence, OccurrenceChange, Validation
from observations.services import (
    occurrence_create,
    occurrence_publish,
    occurrence_update,
    occurrences_validate,
)
from referentiel.models import AtlasGroup
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    LOOS_X,
    LOOS_Y,
    CommuneFactory,
    DatasetFactory,
    PersonFactory,
    TaxonFactory,
    TaxonStatusFactory,
    square,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    return CommuneFactory()


@pytest.fixture
def bird():
    return TaxonFactory(
        cd_nom=3676,
        scientific_name="Alauda arvensis",
        vernacular_name="Alouette des champs",
        class_name="Aves",
        atlas_group=AtlasGroup.objects.get(code="oiseaux"),
    )


def fields(dataset, taxon, **extra):
    return {
        "dataset": dataset,
        "taxon": taxon,
        "date_start": dt.date(2020, 6, 3),
        "geom": Point(LOOS_X + 500, LOOS_Y + 500, srid=2154),
        "count_min": 2,
        "count_max": 3,
        **extra,
    }


def test_create_computes_derived_fields_and_starts_history(commune, bird, saisie_user):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    person = PersonFactory(
        last_name="Dupont", first_name="Lise", organisation=saisie_user.organisation
    )
    occ = occurrence_create(
        user=saisie_user, observers=[person], **fields(dataset, bird)
    )
    assert occ.communes == ["62528"]
    assert occ.commune_id == "62528"
    assert occ.departement_id == "62"
    assert occ.grid_10km == "10kmL93E068N704"
    assert occ.atlas_group.code == "oiseaux"
    assert occ.date_end == occ.date_start
    assert occ.observers_label.startswith("DUPONT Lise")
    assert occ.changes.get().action == OccurrenceChange.Action.CREATE
    assert occ.diffusion_level == 5


def test_wgs84_input_is_stored_in_lambert93(commune, bird, saisie_user):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    occ = occurrence_create(
        user=saisie_user,
        **fields(dataset, bird, geom=GEOSGeometry("SRID=4326;POINT(2.7785 50.4577)")),
    )
    assert occ.geom.srid == 2154
    assert 680000 < occ.geom.x < 690000 and 7035000 < occ.geom.y < 7045000


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"date_start": dt.date.today() + dt.timedelta(days=3)}, "date_end", "futur"),
        (
            {"date_start": dt.date(2020, 6, 3), "date_end": dt.date(2020, 6, 1)},
            "__all__",
            "précéder",
        ),
        ({"count_min": 5, "count_max": 2}, "__all__", "minimal dépasse"),
        ({"geom": Point(2.35, 48.85, srid=4326)}, "__all__", "hors du territoire"),
        ({"sex": "9"}, "sex", "inconnu"),
        ({"observation_status": "X"}, "observation_status", "inconnu"),
    ],
)
def test_bad_records_are_refused_with_french_messages(
    bird, saisie_user, extra, field, message
):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    with pytest.raises(ValidationError) as exc:
        occurrence_create(user=saisie_user, **fields(dataset, bird, **extra))
    assert any(message in m for m in exc.value.message_dict[field]), (
        exc.value.message_dict
    )
    assert not Occurrence.objects.exists()


@pytest.mark.parametrize(
    "update",
    [
        {"count_min": 5, "count_max": 2},
        {"date_start": dt.date(2020, 6, 3), "date_end": dt.date(2020, 6, 1)},
        {"date_start": dt.date(2999, 1, 1), "date_end": dt.date(2999, 1, 1)},
        {"geom": GEOSGeometry("SRID=2154;POINT(100000 100000)")},
        {
            "geom": GEOSGeometry(
                "SRID=2154;POLYGON((684000 7036000, 685000 7037000, 685000 7036000, 684000 7037000, 684000 7036000))"
            )
        },
    ],
)
def test_database_refuses_what_bypasses_the_services(bird, update):
    occ = OccurrenceFactory(taxon=bird)
    with pytest.raises(IntegrityError), transaction.atomic():
        Occurrence.objects.filter(pk=occ.pk).update(**update)


def test_absence_is_data(commune, bird, saisie_user):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    occ = occurrence_create(
        user=saisie_user,
        **fields(
            dataset, bird, observation_status="No", count_min=None, count_max=None
        ),
    )
    assert occ.is_absence and occ.count_min == 0 and occ.count_max == 0


def test_editing_a_validated_record_reopens_it_and_keeps_history(
    commune, bird, saisie_user, validateur_user
):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    occ = occurrence_create(user=saisie_user, **fields(dataset, bird))
    occurrences_validate(
        occurrences=[occ], validator=validateur_user, status=1, comment="Photo vue"
    )
    occ.refresh_from_db()
    assert occ.validation_status == 1 and occ.validator == validateur_user
    occ = occurrence_update(occurrence=occ, user=saisie_user, count_max=10)
    assert occ.validation_status == 0 and occ.validator is None
    statuses = list(occ.validations.order_by("id").values_list("status", flat=True))
    assert statuses == [1, 0]
    change = occ.changes.filter(action=OccurrenceChange.Action.UPDATE).get()
    assert change.changes == {"count_max": [3, 10]}


def test_update_without_change_writes_nothing(commune, bird, saisie_user):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    occ = occurrence_create(user=saisie_user, **fields(dataset, bird))
    occurrence_update(occurrence=occ, user=saisie_user, count_max=3)
    assert occ.changes.count() == 1


def test_bulk_validation_records_each_decision(bird, validateur_user):
    records = [OccurrenceFactory(taxon=bird) for _ in range(3)]
    assert (
        occurrences_validate(occurrences=records, validator=validateur_user, status=2)
        == 3
    )
    assert set(Occurrence.objects.values_list("validation_status", flat=True)) == {2}
    assert Validation.objects.filter(status=2).count() == 3
    with pytest.raises(ValidationError):
        occurrences_validate(occurrences=records, validator=validateur_user, status=9)


def test_sensitivity_comes_from_the_status_of_the_valid_name(commune, saisie_user):
    valid = TaxonFactory(cd_nom=60418, scientific_name="Myotis myotis")
    synonym = TaxonFactory(
        cd_nom=60419, cd_ref=60418, scientific_name="Vespertilio myotis"
    )
    TaxonStatusFactory(taxon=valid, sensitivity_level=2)
    occ = OccurrenceFactory(taxon=synonym)
    assert occ.sensitivity_level == 2 and occ.diffusion_level == 2


def test_derived_fields_of_a_line_list_every_commune_main_one_first():
    CommuneFactory()  # Loos-en-Gohelle, 6 km square around the town hall
    CommuneFactory(
        insee="62413",
        name="Liévin",
        geom=square(LOOS_X + 3000, LOOS_Y - 3000, 6000),
    )
    line = GEOSGeometry(
        f"SRID=2154;LINESTRING({LOOS_X} {LOOS_Y}, {LOOS_X + 5000} {LOOS_Y})"
    )
    occ = OccurrenceFactory(geom=line)
    # The point on surface of that line lies in Loos-en-Gohelle: it is the main commune.
    assert occ.communes == ["62528", "62413"]
    assert occ.commune_id == "62528"


def test_publish_creates_then_updates_the_linked_record(commune, bird, saisie_user):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    occ = occurrence_publish(
        occurrence=None, user=saisie_user, source="baguage", **fields(dataset, bird)
    )
    assert occ.source == "baguage"
    same = occurrence_publish(
        occurrence=occ, user=saisie_user, source="baguage", count_max=4
    )
    assert same.pk == occ.pk and same.count_max == 4
    assert Occurrence.objects.count() == 1


def test_determiner_text_survives_edits_and_follows_a_new_person(
    commune, bird, saisie_user
):
    dataset = DatasetFactory(producer=saisie_user.organisation)
    occurrence = occurrence_create(
        user=saisie_user, **fields(dataset, bird, determiner_label="Gil")
    )
    assert occurrence.determiner_name == "Gil"
    # The form sends every field, the unchanged (empty) determiner too: "Gil" stays.
    occurrence = occurrence_update(
        occurrence=occurrence, user=saisie_user, determiner=None, comment="Revu"
    )
    assert occurrence.determiner_label == "Gil" and occurrence.comment == "Revu"
    person = PersonFactory(last_name="Dupont", first_name="Lise")
    occurrence = occurrence_update(
        occurrence=occurrence, user=saisie_user, determiner=person
    )
    assert occurrence.determiner_label == "DUPONT Lise"
    change = occurrence.changes.filter(changes__has_key="determiner_label").get()
    assert change.changes["determiner_label"] == ["Gil", "DUPONT Lise"]
    other = occurrence_create(
        user=saisie_user, **fields(dataset, bird, determiner=person)
    )
    assert other.determiner_label == "DUPONT Lise"

"""Issue 17, the write hole: a record is writable only in a dataset the user's organisation
produces, whoever entered it (``referentiel.permissions.write_q``).

Found by testing: as ``saisie`` of CPIE Chaîne des Terrils, ``PATCH`` and ``DELETE
/api/v1/occurrences/<uuid>/`` on a record of ONF's dataset answered 200 and 204, because the
write check looked at who created the record, and at the dataset only when ``dataset`` was
in the body."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from observations.models import Occurrence
from referentiel.models import Role
from referentiel.permissions import may_write, may_write_in, writable
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    cpie = OrganisationFactory(name="CPIE Chaîne des Terrils", kind="cpie")
    onf = OrganisationFactory(name="ONF", kind="etat")
    saisie = UserFactory(username="saisie", organisation=cpie, roles=[Role.SAISIE])
    coordinateur = UserFactory(
        username="coord", organisation=cpie, roles=[Role.COORDINATEUR]
    )
    onf_dataset = DatasetFactory(producer=onf, title="Inventaires ONF", is_public=True)
    cpie_dataset = DatasetFactory(producer=cpie, title="Inventaires CPIE")
    # Entered by the CPIE's field staff, but in ONF's dataset (a convention, or a mistake).
    onf_record = OccurrenceFactory(
        dataset=onf_dataset, created_by=saisie, comment="avant"
    )
    own_record = OccurrenceFactory(
        dataset=cpie_dataset, created_by=saisie, comment="avant"
    )
    colleague_record = OccurrenceFactory(dataset=cpie_dataset, comment="avant")
    return locals()


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(record):
    return reverse("occurrence-detail", kwargs={"uuid": record.uuid})


def test_saisie_cannot_patch_or_delete_another_organisations_record(world):
    client = _client(world["saisie"])
    record = world["onf_record"]
    before = Occurrence.objects.filter(pk=record.pk).values().get()

    patch = client.patch(_url(record), {"comment": "changé"}, format="json")
    put = client.put(_url(record), {"comment": "changé"}, format="json")
    delete = client.delete(_url(record))

    assert patch.status_code == 403, patch.content
    assert put.status_code == 403, put.content
    assert delete.status_code == 403, delete.content
    assert Occurrence.objects.filter(pk=record.pk).values().get() == before


def test_saisie_changes_own_record_in_own_dataset(world):
    client = _client(world["saisie"])
    record = world["own_record"]
    response = client.patch(_url(record), {"comment": "changé"}, format="json")
    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert record.comment == "changé"


def test_saisie_cannot_change_a_colleagues_record(world):
    client = _client(world["saisie"])
    record = world["colleague_record"]
    response = client.patch(_url(record), {"comment": "changé"}, format="json")
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.comment == "avant"


def test_coordinator_changes_organisation_records_only(world):
    coordinateur = world["coordinateur"]
    assert may_write(coordinateur, world["colleague_record"])
    assert may_write(coordinateur, world["own_record"])
    assert not may_write(coordinateur, world["onf_record"])
    assert may_write_in(coordinateur, world["cpie_dataset"].pk)
    assert not may_write_in(coordinateur, world["onf_dataset"].pk)
    assert set(writable(Occurrence.objects.all(), coordinateur)) == {
        world["own_record"],
        world["colleague_record"],
    }


def test_edit_page_refuses_another_organisations_record(world, client):
    client.force_login(world["saisie"])
    record = world["onf_record"]
    response = client.post(
        reverse("observations:occurrence_update", kwargs={"uuid": record.uuid}),
        {"comment": "x"},
    )
    assert response.status_code in (403, 404)
    record.refresh_from_db()
    assert record.comment == "avant"

"""The authentication backend (``referentiel.backends.UserBackend``): a request's user, its
roles, organisation and the organisation's datasets read in one query, and nothing kept
from one request to the next (a role withdrawn, a dataset given to another producer or an
account deactivated holds from the next request)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from observations.blurring import Reader
from referentiel.backends import UserBackend
from referentiel.models import Role
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_one_query_reads_the_user_its_roles_organisation_and_datasets(
    django_assert_num_queries,
):
    organisation = OrganisationFactory(name="CPIE Chaîne des Terrils")
    own = {DatasetFactory(producer=organisation).pk for _ in range(2)}
    DatasetFactory(producer=OrganisationFactory(name="Eden 62"))
    user = UserFactory(organisation=organisation, roles=[Role.SAISIE, Role.VALIDATEUR])
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert loaded.roles == {Role.SAISIE, Role.VALIDATEUR}
        assert loaded.organisation.name == "CPIE Chaîne des Terrils"
        assert Reader.for_user(loaded).own_dataset_ids == own
        assert loaded.sensitivity_clearance == 4


def test_a_user_without_organisation_nor_role():
    user = UserFactory(organisation=None)
    loaded = UserBackend().get_user(user.pk)
    assert loaded.roles == set()
    assert Reader.for_user(loaded).own_dataset_ids == frozenset()
    assert UserBackend().get_user(user.pk + 1000) is None


def test_changes_hold_from_the_next_request():
    organisation = OrganisationFactory()
    dataset = DatasetFactory(producer=organisation)
    user = UserFactory(organisation=organisation, roles=[Role.VALIDATEUR])
    client = Client()
    client.force_login(user)
    assert client.get("/observations/validation/").status_code == 200
    user.groups.remove(Group.objects.get(name=Role.VALIDATEUR))
    assert client.get("/observations/validation/").status_code == 403
    # The organisation's datasets are read again: one given away is no longer its own.
    assert Reader.for_user(_request_user(client)).own_dataset_ids == {dataset.pk}
    dataset.producer = OrganisationFactory(name="Autre structure")
    dataset.save()
    assert Reader.for_user(_request_user(client)).own_dataset_ids == frozenset()
    user.is_active = False
    user.save()
    assert "/deconnexion/" not in client.get("/").text


def _request_user(client):
    """The user the next request of ``client`` is served for."""
    response = client.get("/")
    return response.wsgi_request.user

"""Shared fixtures: organisations, users per role, API clients, a temporary MEDIA_ROOT."""

import pytest
from rest_framework.test import APIClient

from observations.services.codes import nomenclatures_forget
from referentiel.models import Role
from tests import db_reset
from tests.factories.referentiel import OrganisationFactory, UserFactory

db_reset.install()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_code_lists():
    """No code list cached by an earlier test (the SINP lists are cached a minute per
    process; a transactional test's flush empties the table until the next restore)."""
    nomenclatures_forget()


@pytest.fixture
def organisation(db):
    return OrganisationFactory(
        name="CPIE Chaîne des Terrils", short_name="CPIE CdT", kind="cpie"
    )


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Eden 62", kind="gestionnaire")


def _user(organisation, role, **kwargs):
    return UserFactory(
        username=f"{role}-{organisation.pk}",
        organisation=organisation,
        roles=[role],
        **kwargs,
    )


@pytest.fixture
def saisie_user(organisation):
    return _user(organisation, Role.SAISIE)


@pytest.fixture
def validateur_user(organisation):
    return _user(organisation, Role.VALIDATEUR)


@pytest.fixture
def coordinateur_user(organisation):
    return _user(organisation, Role.COORDINATEUR)


@pytest.fixture
def partenaire_user(other_organisation):
    return _user(other_organisation, Role.PARTENAIRE)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def auth_client(saisie_user):
    client = APIClient()
    client.force_authenticate(saisie_user)
    return client


def pytest_collection_modifyitems(items):
    """A test that commits (``transaction=True``) must restore the database as it found
    it (``serialized_rollback=True``): the flush after it would otherwise take the rows
    of the data migrations (nomenclatures, content types…) from the tests that follow on
    the same worker, and the next serialized test's restore would collide with what the
    flush's post_migrate recreated."""
    careless = [
        item.nodeid
        for item in items
        for mark in item.iter_markers("django_db")
        if mark.kwargs.get("transaction") and not mark.kwargs.get("serialized_rollback")
    ]
    if careless:
        raise pytest.UsageError(
            "django_db(transaction=True) sans serialized_rollback=True : "
            + ", ".join(careless)
        )

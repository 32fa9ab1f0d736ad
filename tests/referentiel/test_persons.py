"""The observers' search (``/api/v1/persons/``): who finds whom. A user finds their
organisation's people and the observers of the records of the datasets they write into,
nobody else; no email; nothing for an anonymous visitor."""

import pytest

from referentiel.models import Person, Role
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import (
    DatasetFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/persons/"


@pytest.fixture
def people(organisation, other_organisation, saisie_user):
    """In the CPIE: Léa (the user), Hélène. At Eden 62: Marius, who came along on a
    CPIE survey; Sophie, who only observed for Eden 62; Paul, nobody's observer."""
    lea = PersonFactory(
        user=saisie_user,
        first_name="Léa",
        last_name="Caron",
        email="lea@example.org",
        organisation=organisation,
    )
    helene = PersonFactory(
        first_name="Hélène", last_name="Morel-Dupont", organisation=organisation
    )
    marius = PersonFactory(
        first_name="Marius", last_name="Ailleurs", organisation=other_organisation
    )
    sophie = PersonFactory(
        first_name="Sophie", last_name="Secrète", organisation=other_organisation
    )
    paul = PersonFactory(
        first_name="Paul", last_name="Personne", organisation=other_organisation
    )
    cpie_record = OccurrenceFactory(dataset=DatasetFactory(producer=organisation))
    cpie_record.observers.set([lea, marius])
    eden_record = OccurrenceFactory(dataset=DatasetFactory(producer=other_organisation))
    eden_record.observers.set([sophie])
    return {p.first_name: p for p in (lea, helene, marius, sophie, paul)}


def names(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [person["name"] for person in response.json()["results"]]


def test_staff_find_their_organisation_and_their_datasets_observers(
    api_client, saisie_user, people
):
    api_client.force_authenticate(saisie_user)
    assert names(api_client) == ["AILLEURS Marius", "CARON Léa", "MOREL-DUPONT Hélène"]
    # Sophie observed for Eden 62 only, Paul for nobody: neither is found, by any name.
    assert names(api_client, search="sophie") == []
    assert names(api_client, search="pers") == []


def test_what_a_person_shows(api_client, saisie_user, people):
    api_client.force_authenticate(saisie_user)
    result = api_client.get(URL, {"search": "lea"}).json()["results"]
    assert result == [
        {
            "id": people["Léa"].pk,
            "name": "CARON Léa",
            "first_name": "Léa",
            "last_name": "Caron",
            "organisation": "CPIE Chaîne des Terrils",
        }
    ]
    assert "lea@example.org" not in api_client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("hel", ["MOREL-DUPONT Hélène"]),  # accents ignored
        ("DUP", ["MOREL-DUPONT Hélène"]),  # the second part of a compound name
        ("mo hé", ["MOREL-DUPONT Hélène"]),  # every word starts a name
        ("ca ma", []),
        ("ar", []),  # the start of a word, not anywhere in it
    ],
)
def test_search_by_the_start_of_names(api_client, saisie_user, people, search, found):
    api_client.force_authenticate(saisie_user)
    assert names(api_client, search=search) == found


def test_a_partner_finds_only_their_organisation(api_client, partenaire_user, people):
    api_client.force_authenticate(partenaire_user)
    # No writing role: the observers of the datasets of Eden 62 are not offered.
    assert names(api_client) == ["AILLEURS Marius", "PERSONNE Paul", "SECRÈTE Sophie"]


def test_network_writers_find_everyone_and_anonymous_nobody(
    api_client, organisation, people
):
    assert api_client.get(URL).status_code in (401, 403)
    regional = UserFactory(
        organisation=OrganisationFactory(),
        roles=[Role.COORDINATEUR],
        is_regional=True,
    )
    api_client.force_authenticate(regional)
    assert len(names(api_client)) == Person.objects.count() == 5


def test_unknown_parameter_refused(api_client, saisie_user):
    api_client.force_authenticate(saisie_user)
    response = api_client.get(URL, {"recherche": "lea"})
    assert response.status_code == 400
    assert "search" in response.json()["detail"]

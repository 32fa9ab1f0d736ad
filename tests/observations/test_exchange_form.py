"""A data exchange made outside the app, recorded by hand by a coordinator (issue 22):
the French form, its refusals, and the log of the coordinator's structure only."""

import datetime as dt

import pytest
from django.urls import reverse

from observations.models import DataExchange
from referentiel.models import Role
from tests.conftest import _user
from tests.factories.referentiel import OrganisationFactory

URL = reverse("observations:exchange_create")
LOG = reverse("observations:extract_list")


@pytest.mark.django_db
def test_a_coordinator_records_an_exchange_and_sees_it_in_the_log(
    client, coordinateur_user, organisation, other_organisation
):
    third = OrganisationFactory(name="ONF", kind="gestionnaire")
    someone_else = DataExchange.objects.create(
        organisation=third,
        partner=other_organisation,
        date=dt.date(2020, 3, 1),
        content="Échange d'une autre structure",
        fauna_rows=9,
    )
    client.force_login(coordinateur_user)
    page = client.get(URL).content.decode()
    assert "Enregistrer un échange de données fait hors de l'application" in page
    # Its own structure is no partner.
    assert f'value="{organisation.pk}"' not in page
    assert f'value="{other_organisation.pk}"' in page
    answer = client.post(
        URL,
        {
            "partner": other_organisation.pk,
            "date": "2020-11-05",
            "direction": DataExchange.Direction.SENT,
            "content": "Orthoptères des terrils 2020",
            "fauna_rows": "1814",
            "flora_rows": "341",
            "species": "",
            "notes": "",
        },
        follow=True,
    )
    text = answer.content.decode()
    assert answer.redirect_chain[-1][0] == LOG
    assert "Échange avec Eden 62 enregistré (2155 données)." in text
    exchange = DataExchange.objects.get(content="Orthoptères des terrils 2020")
    assert (exchange.organisation, exchange.created_by) == (
        organisation,
        coordinateur_user,
    )
    assert 'data-testid="manual-exchanges"' in text
    assert "Orthoptères des terrils 2020" in text and "05/11/2020" in text
    # The log shows the coordinator's structure's exchanges only.
    assert someone_else.content not in text


@pytest.mark.django_db
def test_refusals_come_with_a_french_error_summary(client, coordinateur_user):
    client.force_login(coordinateur_user)
    answer = client.post(
        URL, {"date": "", "content": "", "fauna_rows": "0", "flora_rows": "0"}
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "L'échange n'a pas été enregistré" in text
    for anchor in ("id_partner", "id_date", "id_content", "id_fauna_rows"):
        assert f'href="#{anchor}"' in text, anchor
    assert "Indiquez le nombre de données échangées" in text
    assert 'aria-invalid="true"' in text
    assert not DataExchange.objects.exists()


@pytest.mark.django_db
def test_only_a_coordinator_records_an_exchange(
    client, saisie_user, partenaire_user, organisation
):
    assert client.get(URL).status_code == 302  # sign in first
    for user in (saisie_user, partenaire_user, _user(organisation, Role.VALIDATEUR)):
        client.force_login(user)
        assert client.get(URL).status_code == 403
    # A partner sees the log but no button to record an exchange.
    client.force_login(partenaire_user)
    assert "Enregistrer un échange fait hors" not in client.get(LOG).content.decode()

"""The observers' field of the entry forms: a search over the people the user may name
(templates/observations/includes/people_field.html), with their checkboxes underneath
for a browser without JavaScript; what is saved; who is offered on the count grid."""

import pytest
from django.urls import reverse

from observations.models import Occurrence
from tests.factories.counts import CountProgrammeFactory
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import DatasetFactory, PersonFactory
from tests.observations.entry_support import entry_data

from .support import CREATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def guests(organisation, other_organisation):
    """Marius of Eden 62 came along on a CPIE survey; Sophie only observed for Eden 62."""
    marius = PersonFactory(
        first_name="Marius", last_name="Ailleurs", organisation=other_organisation
    )
    sophie = PersonFactory(
        first_name="Sophie", last_name="Secrète", organisation=other_organisation
    )
    OccurrenceFactory(dataset=DatasetFactory(producer=organisation)).observers.set(
        [marius]
    )
    OccurrenceFactory(
        dataset=DatasetFactory(producer=other_organisation)
    ).observers.set([sophie])
    return marius, sophie


def test_entry_page_offers_a_search_over_the_boxes(
    client, saisie_user, claire, own_dataset, guests
):
    client.force_login(saisie_user)
    html = client.get(CREATE).content.decode()
    assert 'data-autocomplete="person"' in html
    assert 'data-chips-boxes="id_observers"' in html
    assert '<label for="id_observers_search">Ajouter un observateur</label>' in html
    # The boxes (the field without JavaScript): the user's own, checked; Marius, who
    # observed in a CPIE dataset; not Sophie.
    assert "DUMONT Claire" in html and "AILLEURS Marius" in html
    assert "SECRÈTE Sophie" not in html


def test_entry_saves_the_chosen_observers(
    client, saisie_user, claire, own_dataset, frog, loos, guests
):
    marius, sophie = guests
    client.force_login(saisie_user)
    response = client.post(CREATE, entry_data(frog, own_dataset, [claire, marius]))
    assert response.status_code == 302
    occurrence = Occurrence.objects.get(dataset=own_dataset)
    assert set(occurrence.observers.all()) == {claire, marius}
    assert occurrence.observers_label == (
        "AILLEURS Marius (Eden 62), DUMONT Claire (CPIE CdT)"
    )

    # Someone the user may not name (forged form) is refused, in French, by the field.
    response = client.post(CREATE, entry_data(frog, own_dataset, [claire, sophie]))
    assert response.status_code == 200
    errors = response.context["form"].errors["observers"]
    assert errors == [
        f"Sélectionnez un choix valide. {sophie.pk} n’en fait pas partie."
    ]
    assert Occurrence.objects.filter(dataset=own_dataset).count() == 1


def test_count_grid_offers_only_the_people_the_user_may_name(
    client, saisie_user, organisation, claire, guests
):
    # It listed every person of the referential, of every structure.
    CountProgrammeFactory(dataset=DatasetFactory(producer=organisation))
    client.force_login(saisie_user)
    url = reverse("observations:count_season_grid", args=["CHIRO-HIVER", 2021])
    html = client.get(url).content.decode()
    assert 'data-chips-boxes="id_observers"' in html
    assert "AILLEURS Marius" in html and "SECRÈTE Sophie" not in html

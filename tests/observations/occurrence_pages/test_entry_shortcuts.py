"""Issue 19 "a shorter way": the dataset a new record starts in, the count that follows
its minimum."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from observations.models import Occurrence
from referentiel.admin import OrganisationAdmin
from referentiel.models import Organisation
from tests.factories.referentiel import DatasetFactory
from tests.observations.entry_support import entry_data

from .support import CREATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def datasets(organisation, own_dataset):
    """Three datasets of the organisation; "Baguage…" comes first alphabetically."""
    return {
        "baguage": DatasetFactory(producer=organisation, title="Baguage du Faucon"),
        "inventaires": own_dataset,
        "suivis": DatasetFactory(producer=organisation, title="Suivis mares"),
    }


def _start(client, user):
    client.force_login(user)
    response = client.get(CREATE)
    return response, response.context["form"]


def test_without_default_nothing_is_preselected(client, saisie_user, claire, datasets):
    response, form = _start(client, saisie_user)
    assert form["dataset"].value() is None  # never the first in alphabetical order
    html = response.content.decode()
    assert "— Choisissez le jeu de données —" in html
    assert html.index('data-testid="entry-dataset"') < html.index('id="entry-what"')


def test_organisation_default_then_last_used(
    client, saisie_user, claire, datasets, organisation, frog
):
    organisation.default_dataset = datasets["suivis"]
    organisation.save()
    response, form = _start(client, saisie_user)
    assert form["dataset"].value() == datasets["suivis"].pk
    assert (
        "Le jeu de données par défaut de votre organisme." in response.content.decode()
    )

    data = entry_data(frog, datasets["inventaires"], [claire])
    assert client.post(CREATE, data).status_code == 302
    response, form = _start(client, saisie_user)
    assert form["dataset"].value() == datasets["inventaires"].pk
    assert "Le dernier jeu de données où vous avez saisi." in response.content.decode()


def test_last_used_is_per_user(
    client, saisie_user, coordinateur_user, claire, datasets, frog
):
    client.force_login(coordinateur_user)
    data = entry_data(frog, datasets["suivis"], [claire])
    assert client.post(CREATE, data).status_code == 302
    assert Occurrence.objects.get().created_by == coordinateur_user
    _, form = _start(client, saisie_user)
    assert form["dataset"].value() is None
    _, form = _start(client, coordinateur_user)
    assert form["dataset"].value() == datasets["suivis"].pk


def test_a_default_no_longer_writable_is_skipped(
    client, saisie_user, claire, datasets, organisation, other_organisation
):
    foreign = DatasetFactory(producer=other_organisation, title="Autre")
    # Bypassing clean(): the form still only offers the user's writable datasets.
    Organisation.objects.filter(pk=organisation.pk).update(default_dataset=foreign)
    _, form = _start(client, saisie_user)
    assert form["dataset"].value() is None


def test_the_only_dataset_is_chosen(client, saisie_user, claire, own_dataset):
    _, form = _start(client, saisie_user)
    assert form["dataset"].value() == own_dataset.pk


def test_organisation_default_must_be_its_own(
    organisation, other_organisation, admin_user
):
    foreign = DatasetFactory(producer=other_organisation, title="Autre")
    organisation.default_dataset = foreign
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "default_dataset" in error.value.message_dict
    own = DatasetFactory(producer=organisation, title="Mien")
    organisation.default_dataset = own
    organisation.full_clean()
    # The admin offers the organisation's own datasets only.
    request = RequestFactory().get("/")
    request.user = admin_user
    request.resolver_match = type(
        "M", (), {"kwargs": {"object_id": str(organisation.pk)}}
    )
    admin = OrganisationAdmin(Organisation, None)
    field = admin.formfield_for_foreignkey(
        Organisation._meta.get_field("default_dataset"), request
    )
    assert list(field.queryset) == [own]


def test_a_missing_maximum_is_the_minimum(
    client, saisie_user, claire, own_dataset, frog
):
    _, form = _start(client, saisie_user)
    # Nothing to correct after typing 3 in the minimum, even without JavaScript.
    assert form["count_min"].value() == 1 and form["count_max"].value() is None
    assert "Vide : égal au minimum." in form["count_max"].help_text
    data = entry_data(frog, own_dataset, [claire], count_min="3", count_max="")
    assert client.post(CREATE, data).status_code == 302
    occurrence = Occurrence.objects.get()
    assert (occurrence.count_min, occurrence.count_max) == (3, 3)


def test_a_smaller_typed_maximum_is_still_refused(
    client, saisie_user, claire, own_dataset, frog
):
    client.force_login(saisie_user)
    data = entry_data(frog, own_dataset, [claire], count_min="5", count_max="2")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["count_max"]
    assert not Occurrence.objects.exists()

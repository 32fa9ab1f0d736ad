"""Mes saisies: the records I entered, newest entered first, with their validation status,
paginated, read through the read policy."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from observations.models import Occurrence
from tests.factories.observations import OccurrenceFactory
from tests.factories.referentiel import DatasetFactory

pytestmark = pytest.mark.django_db
MINE = reverse("observations:my_records")


def _entered(user, dataset, taxon, minutes_ago, **fields):
    occurrence = OccurrenceFactory(
        dataset=dataset, taxon=taxon, created_by=user, **fields
    )
    Occurrence.objects.filter(pk=occurrence.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return occurrence


def test_my_records_newest_entered_first_with_their_status(
    client, saisie_user, coordinateur_user, own_dataset, frog, toad
):
    older = _entered(saisie_user, own_dataset, frog, 60, date_start=dt.date(2024, 5, 1))
    newer = _entered(saisie_user, own_dataset, toad, 5, date_start=dt.date(2023, 4, 1))
    Occurrence.objects.filter(pk=older.pk).update(validation_status=1)
    _entered(coordinateur_user, own_dataset, frog, 1)  # a colleague's
    client.force_login(saisie_user)
    response = client.get(MINE)
    assert response.status_code == 200
    rows = [o.uuid for o in response.context["page"].object_list]
    # Entered order, not observation dates.
    assert rows == [newer.uuid, older.uuid]
    html = response.content.decode()
    assert "2 saisies." in html
    assert html.index("Bufo bufo") < html.index("Rana temporaria")
    assert "badge--v1" in html and "badge--v0" in html
    assert reverse("observations:occurrence_detail", args=[newer.uuid]) in html


def test_my_records_are_paginated(client, saisie_user, own_dataset, frog):
    for minutes in range(27):
        _entered(saisie_user, own_dataset, frog, minutes)
    client.force_login(saisie_user)
    first = client.get(MINE).context["page"]
    assert len(first.object_list) == 25 and first.total == 27 and first.has_next
    second = client.get(MINE, {"page": 2}).context["page"]
    assert len(second.object_list) == 2
    assert {o.pk for o in first.object_list}.isdisjoint(
        {o.pk for o in second.object_list}
    )


def test_the_read_policy_still_applies(
    client, saisie_user, own_dataset, frog, other_organisation
):
    # A record I entered in a dataset my organisation no longer reads (the dataset went
    # to another producer): the policy, not authorship, decides.
    gone = DatasetFactory(producer=other_organisation, title="Cédé")
    _entered(saisie_user, gone, frog, 2)
    kept = _entered(saisie_user, own_dataset, frog, 3)
    client.force_login(saisie_user)
    rows = client.get(MINE).context["page"].object_list
    assert [o.uuid for o in rows] == [kept.uuid]


def test_empty_list_and_login(client, saisie_user):
    assert client.get(MINE).status_code == 302
    client.force_login(saisie_user)
    response = client.get(MINE)
    assert "Vous n'avez encore saisi aucune observation." in response.content.decode()


def test_linked_from_the_observations_menu_for_writers(
    client, saisie_user, partenaire_user
):
    client.force_login(saisie_user)
    assert f'href="{MINE}"' in client.get(reverse("home")).content.decode()
    client.force_login(partenaire_user)
    assert f'href="{MINE}"' not in client.get(reverse("home")).content.decode()

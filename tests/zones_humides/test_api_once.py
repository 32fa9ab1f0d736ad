"""A POP passage or a drift-fence morning round entered with no network (issue 19 point 1): sent with the passage form's
own fields and the device's UUID, it is saved once; a resend answers it (200); a refused
one gets the form's French messages with their labels."""

import uuid

import pytest
from rest_framework.test import APIClient

from observations.models import Occurrence
from tests.factories.referentiel import DatasetFactory
from tests.factories.zones_humides import (
    DriftFenceFactory,
    WetlandProfileFactory,
    amphibian,
)
from zones_humides.models import FenceCheck, PopPassage

pytestmark = pytest.mark.django_db
URL = "/api/v1/zones-humides/pop/passages/saisie/"


def test_a_passage_is_saved_once_and_refusals_are_french(
    saisie_user, observer, pop_sites, taxa
):
    client = APIClient()
    client.force_authenticate(saisie_user)
    device_uuid = str(uuid.uuid4())
    data = {
        "uuid": device_uuid,
        "number": "1",
        "date": "2020-03-10",
        "observers": [observer.pk],
        "expertise": "chevronne",
        "methods": ["1"],
        "accessible": "on",
        "site_state": "existant",
        "sp_259": "12",
    }
    url = f"{URL}?pop_site={pop_sites[0].pk}"
    first = client.post(url, data, format="multipart")
    assert first.status_code == 201, first.json()
    passage = PopPassage.objects.get()
    assert str(passage.uuid) == device_uuid
    assert passage.observations.get().count_max == 12
    again = client.post(url, data, format="multipart")
    assert again.status_code == 200 and again.json()["id"] == passage.pk
    assert PopPassage.objects.count() == 1

    refused = client.post(
        url,
        {**data, "uuid": str(uuid.uuid4()), "number": "2", "sp_259": ""},
        format="multipart",
    )
    assert refused.status_code == 400
    assert "Rien trouvé" in " ".join(refused.json()["non_field_errors"])
    assert PopPassage.objects.count() == 1
    # A pond one cannot read is unknown.
    assert client.post(f"{URL}?pop_site=999999", data).status_code == 404


def test_a_fence_check_is_saved_once_and_refusals_are_french(
    saisie_user, observer, organisation
):
    """The morning round of a drift fence, sent from the outbox with the page's own
    fields: saved once (its occurrences too), a resend answers it; refused in French."""
    fence = DriftFenceFactory(
        site=WetlandProfileFactory().site, dataset=DatasetFactory(producer=organisation)
    )
    amphibian(259)
    client = APIClient()
    client.force_authenticate(saisie_user)
    url = f"/api/v1/zones-humides/barrieres/{fence.pk}/releves/saisie/"
    data = {
        "uuid": str(uuid.uuid4()),
        "date": "2021-03-12",
        "time": "07:30",
        "rain": "1",
        "observers": [observer.pk],
        "n_259_male_v": "4",
        "n_259_female_m": "1",
    }
    first = client.post(url, data, format="multipart")
    assert first.status_code == 201, first.json()
    check = FenceCheck.objects.get()
    assert str(check.uuid) == data["uuid"]
    assert list(check.observers.all()) == [observer]
    assert sorted(c.count for c in check.counts.all()) == [1, 4]
    again = client.post(url, data, format="multipart")
    assert again.status_code == 200 and again.json()["id"] == check.pk
    assert FenceCheck.objects.count() == 1
    assert Occurrence.objects.count() == 2

    refused = client.post(
        url,
        {**data, "uuid": str(uuid.uuid4()), "n_259_male_v": "-3"},
        format="multipart",
    ).json()
    assert refused["n_259_male_v"] == [
        "Assurez-vous que cette valeur est supérieure ou égale à 0."
    ]
    assert refused["labels"]["n_259_male_v"] == "Bufo bufo, Mâle, vivant"
    future = client.post(
        url, {**data, "uuid": str(uuid.uuid4()), "date": "2999-01-01"}
    ).json()
    assert future["date"] == ["La date ne peut pas être dans le futur."]
    assert Occurrence.objects.count() == 2

"""A POP passage entered with no network (issue 19 point 1): sent with the passage form's
own fields and the device's UUID, it is saved once; a resend answers it (200); a refused
one gets the form's French messages with their labels."""

import uuid

import pytest
from rest_framework.test import APIClient

from zones_humides.models import PopPassage

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

"""The sensibilisation API: public campaigns, actions scoped to the organisation and
written by coordinators only, the year's figures."""

import pytest
from django.urls import reverse

from sensibilisation.models import Action
from tests.factories.sensibilisation import ActionFactory

pytestmark = pytest.mark.django_db


def test_campaigns_are_public_with_their_species(api_client, dragon):
    response = api_client.get("/api/v1/sensibilisation/campaigns/")
    assert response.status_code == 200
    campaign = response.json()["results"][0]
    assert campaign["slug"] == "un-dragon-dans-mon-jardin"
    assert {s["scientific_name"] for s in campaign["species"]} == {
        "Lissotriton helveticus",
        "Bufo bufo",
    }
    response = api_client.get(
        f"/api/v1/sensibilisation/campaigns/{dragon.campaign.slug}/map/"
    )
    assert response.json() == {"type": "FeatureCollection", "features": []}


def test_actions_are_read_by_staff_and_written_by_coordinators(
    api_client, saisie_user, coordinateur_user, other_organisation
):
    url = "/api/v1/sensibilisation/actions/"
    ActionFactory(organisation=other_organisation, title="Stand Eden")
    assert api_client.get(url).status_code in (401, 403)
    api_client.force_authenticate(saisie_user)
    assert api_client.get(url).json()["count"] == 0
    payload = {
        "kind": "conference",
        "title": "Webinaire zones humides",
        "date_start": "2020-11-19",
        "action_line": 2,
        "format": "distanciel",
        "participants_count": 250,
        "audiences": ["public"],
    }
    assert api_client.post(url, payload, format="json").status_code == 403
    api_client.force_authenticate(coordinateur_user)
    response = api_client.post(url, payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["reached"] == 250
    action = Action.objects.get(title="Webinaire zones humides")
    assert action.organisation == coordinateur_user.organisation
    response = api_client.post(
        url,
        {**payload, "date_start": "2020-11-19", "date_end": "2020-11-01"},
        format="json",
    )
    assert response.status_code == 400
    figures = api_client.get(f"{url}figures/?year=2020").json()
    assert figures["total"]["aware"] == 250
    assert figures["lines"][1]["by_kind"] == {"Conférence ou webinaire": 1}
    assert reverse("sensibilisation-action-list") == url

"""A score names its species; for a sensitive species a reader does not read precisely,
the name stays out and its points join the one "Données sensibles" line: naming it would
place it on the terril, finer than the area it is blurred to (the detailed cases are in
test_no_leak.py)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from observations.models import Occurrence
from referentiel.models import Role
from terrils.services import scores_recompute
from tests.factories.referentiel import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sensitive_newt(evaluation):
    Occurrence.objects.filter(taxon=evaluation.newt).update(sensitivity_level=2)
    scores_recompute()
    return evaluation


def _readers(organisation, other_organisation):
    partner = UserFactory(
        username="partenaire-terrils",
        organisation=other_organisation,
        roles=[Role.PARTENAIRE],
    )
    producer = UserFactory(
        username="saisie-terrils", organisation=organisation, roles=[Role.SAISIE]
    )
    return partner, producer


def test_breakdown_hides_the_name_from_a_partner_only(
    client, sensitive_newt, organisation, other_organisation
):
    sensitive_newt.dataset.is_public = True
    sensitive_newt.dataset.save()
    partner, producer = _readers(organisation, other_organisation)
    url = reverse("terrils:campaign_detail", args=[sensitive_newt.campaign.pk])
    client.force_login(partner)
    page = client.get(url).content.decode()
    assert "Triturus cristatus" not in page and "Triton crêté" not in page
    # Newt: R (6) + VU (4) + protected (1).
    assert "Données sensibles : 11 points" in page
    client.force_login(producer)
    assert "Triturus cristatus" in client.get(url).content.decode()
    api = APIClient()
    api.force_authenticate(partner)
    scores = api.get("/api/v1/terrils/scores/").json()
    rows = scores["results"] if isinstance(scores, dict) else scores
    labels = [line["label"] for row in rows for line in row["lines"]]
    assert labels[-1] == "Données sensibles : 11 points"
    assert not any("Triturus" in label for label in labels)

"""Pages: registry, sheet with species (blurring-aware), campaign entry, ranking,
state-zero upload; permissions."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from observations.models import Occurrence, Source
from terrils.models import CampaignRecord, Score
from terrils.services import scores_recompute

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(evaluation):
    scores_recompute()
    return evaluation


def test_pages_need_login(client, scored):
    for url in (
        reverse("terrils:index"),
        reverse("terrils:ranking"),
        reverse("terrils:terril_detail", args=["94-94a"]),
    ):
        assert client.get(url).status_code == 302


def test_registry_and_sheet(client, saisie_user, scored):
    client.force_login(saisie_user)
    html = client.get(reverse("terrils:index")).content.decode()
    assert "94-94a" in html
    html = client.get(
        reverse("terrils:terril_detail", args=["94-94a"])
    ).content.decode()
    assert "Triturus cristatus" in html
    assert "terril-history-chart" in html
    # The toad recorded outside the polygon is not listed... but it was recorded inside
    # in 2019 and in October, so it is a species of the terril.
    assert "Epidalea calamita" in html


def test_sheet_hides_sensitive_species_blurred_outside(client, partenaire_user, scored):
    # A partner of another organisation reads the CPIE's private dataset? No: scope.
    client.force_login(partenaire_user)
    html = client.get(
        reverse("terrils:terril_detail", args=["94-94a"])
    ).content.decode()
    assert "Triturus cristatus" not in html


def test_ranking_page(client, saisie_user, scored):
    client.force_login(saisie_user)
    response = client.get(reverse("terrils:ranking") + "?year=2020")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-terril="94-94a"' in html
    assert "21" in html


def test_campaign_breakdown_and_entry(client, saisie_user, scored):
    client.force_login(saisie_user)
    url = reverse("terrils:campaign_detail", args=[scored.campaign.pk])
    html = client.get(url).content.decode()
    assert "Triton crêté (Triturus cristatus)" in html
    response = client.post(
        url,
        {
            "action": "record",
            "group": "amphibiens",
            "species": "Epidalea calamita",
            "date": "2020-05-04",
            "count": "3",
        },
    )
    assert response.status_code == 302
    record = CampaignRecord.objects.get()
    assert record.occurrence.source == Source.TERRILS
    assert record.occurrence.created_by == saisie_user
    assert scored.terril.geom.intersects(record.occurrence.geom)
    # Toad PC = 4 more points.
    score = Score.objects.get(campaign=scored.campaign, version=scored.version)
    assert score.total == 25
    response = client.post(
        url,
        {
            "action": "record",
            "group": "amphibiens",
            "species": "Epidalea calamita",
            "date": "2021-05-04",
        },
    )
    assert response.status_code == 200
    assert Occurrence.objects.filter(source=Source.TERRILS).count() == 1
    response = client.post(
        url, {"action": "habitat", "code": "E1.2", "surface_m2": 500}
    )
    assert response.status_code == 302
    assert (
        Score.objects.get(campaign=scored.campaign, version=scored.version).total == 31
    )


def test_partner_cannot_enter(client, partenaire_user, scored):
    client.force_login(partenaire_user)
    url = reverse("terrils:campaign_detail", args=[scored.campaign.pk])
    response = client.post(
        url,
        {
            "action": "record",
            "group": "amphibiens",
            "species": "139",
            "date": dt.date(2020, 5, 4).isoformat(),
        },
    )
    assert response.status_code == 403


def test_state_zero_upload_is_for_coordinators(
    client, saisie_user, coordinateur_user, scored
):
    url = reverse("terrils:state_zero_import")
    client.force_login(saisie_user)
    assert client.get(url).status_code == 403
    client.force_login(coordinateur_user)
    bad = SimpleUploadedFile("z.csv", b"terril;groupe;espece\n1;amphibiens;139\n")
    response = client.post(url, {"file": bad, "dataset": scored.dataset.pk})
    assert (
        "Rien n&#x27;a été importé" in response.content.decode()
        or "Rien n'a" in response.content.decode()
    )
    good = SimpleUploadedFile("z.csv", b"terril;groupe;espece\n94-94a;amphibiens;139\n")
    response = client.post(url, {"file": good, "dataset": scored.dataset.pk})
    assert response.status_code == 302
    zero = scored.terril.campaigns.get(kind="etat_zero")
    # The state zero belongs to the chosen dataset of the coordinator's organisation.
    assert zero.dataset == scored.dataset

"""Outreach actions recorded by a coordinator and the year's figures computed from them:
a training with 10 named trainees and a webinar with 250 participants make 260 people
trained or made aware in 2020."""

import html

import pytest
from django.urls import reverse

from referentiel.models import Role
from sensibilisation.models import Action, ActionParticipant
from sensibilisation.permissions import actions_visible_to
from sensibilisation.selectors import figures_for_year
from tests.factories.referentiel import UserFactory
from tests.factories.sensibilisation import ActionFactory

pytestmark = pytest.mark.django_db

TRAINEES = [
    "MARTIN Léa",
    "BERNARD Hugo",
    "PETIT Chloé",
    "DURAND Louis",
    "LEROY Manon",
    "MOREAU Jules",
    "SIMON Inès",
    "LAURENT Tom",
    "LEFEBVRE Zoé",
    "MICHEL Nathan",
]


def action_data(**overrides):
    data = {
        "kind": "formation",
        "title": "Formation au baguage des oiseaux",
        "date_start": "2020-03-07",
        "date_end": "2020-03-08",
        "theme": "Baguage",
        "audiences": ["benevoles"],
        "action_line": "1",
        "format": "presentiel",
        "participants_count": "0",
        "description": "",
    }
    data.update(overrides)
    return data


def test_a_coordinator_records_a_training_and_a_webinar_and_the_figures_show_260(
    client, coordinateur_user
):
    client.force_login(coordinateur_user)
    response = client.post(reverse("sensibilisation:action_create"), action_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    training = Action.objects.get(kind="formation")
    assert training.organisation == coordinateur_user.organisation
    assert training.created_by == coordinateur_user
    response = client.post(
        reverse("sensibilisation:action_session", args=[training.pk]),
        {"date": "2020-03-07", "duration_hours": "7", "topic": "Théorie et pose"},
    )
    assert training.sessions.count() == 1
    client.post(
        reverse("sensibilisation:action_participants", args=[training.pk]),
        {"role": "stagiaire", "names": "\n".join(TRAINEES)},
    )
    assert (
        ActionParticipant.objects.filter(action=training, role="stagiaire").count()
        == 10
    )

    response = client.post(
        reverse("sensibilisation:action_create"),
        action_data(
            kind="conference",
            title="Webinaire « Les zones humides du bassin minier »",
            date_start="2020-11-19",
            date_end="",
            format="distanciel",
            action_line="2",
            participants_count="250",
            audiences=["public", "elus"],
        ),
    )
    assert response.status_code == 302

    page = html.unescape(
        client.get(reverse("sensibilisation:bilan", args=[2020])).content.decode()
    )
    assert '<dd data-testid="trained">10</dd>' in page
    assert '<dd data-testid="aware">250</dd>' in page
    assert '<dd data-testid="trained-or-aware">260</dd>' in page
    figures = figures_for_year(actions=actions_visible_to(coordinateur_user), year=2020)
    lines = {line["line"]: line for line in figures["lines"]}
    assert lines[1]["trained"] == 10 and lines[1]["by_kind"] == {"Formation": 1}
    assert lines[2]["aware"] == 250
    assert lines[2]["by_kind"] == {"Conférence ou webinaire": 1}
    assert figures["total"]["trained_or_aware"] == 260
    assert (
        figures_for_year(actions=Action.objects.all(), year=2021)["total"]["actions"]
        == 0
    )


def test_work_days_count_volunteer_time_and_publications_are_counted(organisation):
    work_day = ActionFactory(
        organisation=organisation,
        kind=Action.Kind.WORK_DAY,
        action_line=2,
        participants_count=18,
        duration_hours=7,
    )
    ActionFactory(organisation=organisation, kind=Action.Kind.PRINT, action_line=3)
    ActionFactory(organisation=organisation, kind=Action.Kind.MEDIA, action_line=3)
    figures = figures_for_year(actions=Action.objects.all(), year=2020)
    line2 = figures["lines"][1]
    assert line2["work_days"] == 1 and line2["aware"] == 18
    assert line2["volunteer_hours"] == 126 and str(line2["volunteer_days"]) == "18.0"
    assert figures["lines"][2]["publications"] == 2
    assert work_day.participants.count() == 0


def test_named_hours_replace_the_default_day(organisation):
    from tests.factories.referentiel import PersonFactory

    work_day = ActionFactory(
        organisation=organisation, kind=Action.Kind.WORK_DAY, participants_count=3
    )
    for _ in range(2):
        ActionParticipant.objects.create(
            action=work_day, person=PersonFactory(organisation=organisation), hours=3
        )
    figures = figures_for_year(actions=Action.objects.all(), year=2020)
    # 2 named volunteers × 3 h + 1 unnamed participant × 7 h.
    assert figures["total"]["volunteer_hours"] == 13


def test_who_may_see_and_change_actions(
    client, coordinateur_user, saisie_user, partenaire_user, other_organisation
):
    own = ActionFactory(
        organisation=coordinateur_user.organisation, title="Sortie mare"
    )
    other = ActionFactory(organisation=other_organisation, title="Stand Eden")
    list_url = reverse("sensibilisation:action_list")

    assert client.get(list_url).status_code == 302  # anonymous: to the login page
    client.force_login(saisie_user)
    page = client.get(list_url).content.decode()
    assert "Sortie mare" in page and "Stand Eden" not in page
    assert client.get(reverse("sensibilisation:action_create")).status_code == 403
    assert (
        client.post(reverse("sensibilisation:action_delete", args=[own.pk])).status_code
        == 403
    )
    client.force_login(partenaire_user)
    assert (
        client.get(reverse("sensibilisation:action_detail", args=[own.pk])).status_code
        == 404
    )
    client.force_login(coordinateur_user)
    assert (
        client.get(
            reverse("sensibilisation:action_update", args=[other.pk])
        ).status_code
        == 404
    )
    response = client.post(
        reverse("sensibilisation:action_update", args=[own.pk]),
        action_data(kind="sortie", title="Sortie à la mare", participants_count="12"),
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "Sortie à la mare" and own.participants_count == 12
    client.post(reverse("sensibilisation:action_delete", args=[own.pk]))
    assert not Action.objects.filter(pk=own.pk).exists()

    regional = UserFactory(
        username="regional",
        organisation=coordinateur_user.organisation,
        is_regional=True,
        roles=[Role.COORDINATEUR],
    )
    client.force_login(regional)
    assert "Stand Eden" in client.get(list_url).content.decode()


def test_invalid_dates_are_refused_in_french(client, coordinateur_user):
    client.force_login(coordinateur_user)
    response = client.post(
        reverse("sensibilisation:action_create"),
        action_data(date_start="2020-03-08", date_end="2020-03-07"),
    )
    assert response.status_code == 200
    assert "La date de fin précède la date de début." in html.unescape(
        response.content.decode()
    )
    assert not Action.objects.exists()


def test_documents_are_checked_by_their_first_bytes(client, coordinateur_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    action = ActionFactory(organisation=coordinateur_user.organisation)
    client.force_login(coordinateur_user)
    url = reverse("sensibilisation:action_document_add", args=[action.pk])
    client.post(
        url,
        {
            "title": "Affiche",
            "file": SimpleUploadedFile("a.pdf", b"<html>", "application/pdf"),
        },
    )
    assert action.documents.count() == 0
    client.post(
        url,
        {
            "title": "Affiche",
            "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 test", "application/pdf"),
        },
    )
    document = action.documents.get()
    response = client.get(
        reverse("sensibilisation:action_document", args=[document.pk])
    )
    assert response.status_code == 200


def test_the_action_page_maps_its_commune_in_wgs84(client, coordinateur_user):
    from tests.factories.referentiel import CommuneFactory

    action = ActionFactory(
        organisation=coordinateur_user.organisation, commune=CommuneFactory()
    )
    client.force_login(coordinateur_user)
    response = client.get(reverse("sensibilisation:action_detail", args=[action.pk]))
    assert response.status_code == 200
    place = response.context["place_geojson"]
    assert place["geometry"]["type"] == "MultiPolygon"
    lon, lat = place["geometry"]["coordinates"][0][0][0]
    assert 1.3 < lon < 4.3 and 48.8 < lat < 51.2
    assert 'id="action-place"' in response.content.decode()

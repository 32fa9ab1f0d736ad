"""Ringing API: sessions and captures scoped by dataset, writes through the services."""

import pytest
from rest_framework.test import APIClient

from baguage.models import Capture, Session
from observations.models import Occurrence
from tests.factories.baguage import CaptureFactory, SessionFactory
from tests.factories.referentiel import DatasetFactory

pytestmark = pytest.mark.django_db

SESSIONS = "/api/v1/baguage/sessions/"
CAPTURES = "/api/v1/baguage/captures/"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def line(ringing, **fields) -> dict:
    return {
        "session": ringing.session.pk,
        "action": "B",
        "ring_number": "0001000",
        "taxon": ringing.robin.cd_nom,
        "age": "3",
    } | fields


def test_anonymous_gets_nothing(api_client, ringing):
    assert api_client.get(SESSIONS).status_code in (401, 403)
    assert api_client.get(CAPTURES).status_code in (401, 403)


def test_sessions_are_scoped_by_dataset(ringing, partenaire_user, other_organisation):
    SessionFactory(
        station=ringing.station, dataset=DatasetFactory(producer=other_organisation)
    )
    data = client_for(ringing.user).get(SESSIONS).json()
    assert data["count"] == 1
    session = data["results"][0]
    assert session["id"] == ringing.session.pk
    assert session["station_name"] == "Marais de la Glissoire"
    assert session["counts"] == {"B": 0, "C": 0, "R": 0}
    assert session["effort_metre_hours"] == 720.0
    assert session["protocol_problems"] == [
        "0 capture(s) : une session STOC en demande au moins 4."
    ]
    partner = client_for(partenaire_user).get(SESSIONS).json()
    assert [s["id"] for s in partner["results"]] == [Session.objects.latest("pk").pk]
    filtered = client_for(ringing.user).get(SESSIONS, {"year": 2019}).json()
    assert filtered["count"] == 0


def test_create_and_update_a_session(ringing, other_organisation):
    client = client_for(ringing.user)
    body = {
        "station": ringing.station.pk,
        "programme": ringing.programme.pk,
        "dataset": str(ringing.dataset.uuid),
        "date": "2021-06-12",
        "start_time": "06:00",
        "end_time": "11:00",
        "ringers": [ringing.ringer.pk],
        "nets_count": 10,
        "nets_length_m": "120",
    }
    response = client.post(SESSIONS, body, format="json")
    assert response.status_code == 201, response.json()
    session = Session.objects.get(pk=response.json()["id"])
    assert session.created_by == ringing.user
    assert list(session.ringers.all()) == [ringing.ringer]
    changed = client.patch(
        f"{SESSIONS}{session.pk}/", {"weather": "Brume"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["weather"] == "Brume"
    foreign = DatasetFactory(producer=other_organisation)
    refused = client.post(
        SESSIONS, body | {"dataset": str(foreign.uuid)}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["dataset"] == [
        "Jeu de données inconnu ou dans lequel vous ne pouvez pas saisir."
    ]
    future = client.post(SESSIONS, body | {"date": "2999-01-01"}, format="json")
    assert future.json() == {"date": ["La date ne peut pas être dans le futur."]}


def test_a_partner_cannot_write(ringing, partenaire_user):
    client = client_for(partenaire_user)
    assert client.post(CAPTURES, line(ringing), format="json").status_code == 403
    assert client.post(SESSIONS, {}, format="json").status_code == 403


def test_capture_create_list_update_delete(ringing):
    client = client_for(ringing.user)
    response = client.post(CAPTURES, line(ringing, wing_mm="70"), format="json")
    assert response.status_code == 201, response.json()
    capture = response.json()
    assert capture["warnings"] == []
    assert capture["occurrence"] is not None
    occurrence = Occurrence.objects.get(uuid=capture["occurrence"])
    assert occurrence.source == "baguage"

    listed = client.get(CAPTURES, {"session": ringing.session.pk, "ring": "000 1000"})
    assert [c["id"] for c in listed.json()["results"]] == [capture["id"]]
    assert client.get(CAPTURES, {"ring": "0001001"}).json()["count"] == 0

    url = f"{CAPTURES}{capture['id']}/"
    changed = client.patch(url, {"mass_g": "40"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["warnings"][0].startswith("Masse de 40")
    assert client.get(url).json()["warnings"] == []  # warnings come with a save

    assert client.delete(url).status_code == 204
    assert not Capture.objects.exists()
    assert not Occurrence.objects.filter(pk=occurrence.pk).exists()


def test_refused_and_confirmed_captures(ringing):
    client = client_for(ringing.user)
    client.post(CAPTURES, line(ringing), format="json")
    again = client.post(CAPTURES, line(ringing), format="json")
    assert again.status_code == 400
    assert again.json() == {
        "ring_number": [
            "La bague 0001000 a déjà été posée le 14/06/2020 (Erithacus rubecula)."
        ]
    }
    control = line(ringing, action="C", taxon=ringing.wren.cd_nom)
    question = client.post(CAPTURES, control, format="json")
    assert question.status_code == 400
    assert question.json()["to_confirm"] == question.json()["non_field_errors"]
    assert "confirmez l'espèce" in question.json()["to_confirm"][0]
    confirmed = client.post(CAPTURES, control | {"confirm": True}, format="json")
    assert confirmed.status_code == 201
    codes = client.post(
        CAPTURES,
        line(
            ringing,
            ring_number="0001001",
            sex="X",
            other_marks="Q1",
            circumstances="2",
            fat=12,
        ),
        format="json",
    ).json()
    assert codes["sex"] == ["Sexe : U, M ou F."]
    assert codes["other_marks"][0].startswith("Autres marques EURING")
    assert codes["circumstances"] == ["Circonstances EURING : deux chiffres (ex. 20)."]
    assert "fat" in codes


def test_captures_of_unreadable_sessions_are_hidden(ringing, partenaire_user):
    CaptureFactory(session=ringing.session, taxon=ringing.robin)
    assert client_for(partenaire_user).get(CAPTURES).json()["count"] == 0
    assert client_for(ringing.user).get(CAPTURES).json()["count"] == 1

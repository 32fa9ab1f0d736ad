"""Ringing pages: roles and datasets, the session form, the session page and its JSON
helpers (entry through the API with the page's CSRF token, ring history, next ring)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baguage.models import Capture, Session
from baguage.services import capture_save
from referentiel.models import Role
from tests.factories.baguage import RingerFactory, RingSeriesFactory, StationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("baguage:session_list")
CREATE = reverse("baguage:session_create")
STOCK = reverse("baguage:ring_stock")
RINGERS = reverse("baguage:ringer_list")
HISTORY = reverse("baguage:ring_history")
NEXT = reverse("baguage:ring_next")
CAPTURES = "/api/v1/baguage/captures/"


def detail(session):
    return reverse("baguage:session_detail", args=[session.pk])


def ring(ringing, number="0001000", **fields):
    values = {"action": "B", "ring_number": number, "taxon": ringing.robin} | fields
    return capture_save(session=ringing.session, user=ringing.user, fields=values)[0]


@pytest.mark.parametrize(
    "url", [LIST, CREATE, STOCK, RINGERS, HISTORY, NEXT, "/baguage/sessions/1/"]
)
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/connexion/")


def test_list_shows_counts_and_protocol_flag(client, ringing):
    ring(ringing)
    ring(ringing, "0001000", action="C")
    client.force_login(ringing.user)
    response = client.get(LIST, {"year": 2020, "station": ringing.station.pk})
    html = response.content.decode()
    assert response.status_code == 200
    row = re.search(r'<tr data-session="\d+">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("<td")]
    assert "14/06/2020" in cells[1]
    assert cells[4:7] == ['class="num">1', 'class="num">1', 'class="num">0']
    assert "Hors protocole (1)" in html  # 2 captures: fewer than 4
    assert 'href="/baguage/sessions/nouvelle/"' in html
    assert client.get(LIST, {"year": 2019}).context["page"].total == 0


def test_navigation_lists_the_ringing_pages(client, ringing):
    client.force_login(ringing.user)
    html = client.get(LIST).content.decode()
    for label in ("Baguage", "Nouvelle session", "Stock de bagues", "Bagueurs"):
        assert f">{label}</a>" in html


def test_a_partner_of_another_organisation_sees_nothing(
    client, ringing, partenaire_user
):
    client.force_login(partenaire_user)
    response = client.get(LIST)
    assert response.context["page"].total == 0
    # The ringers' names and permits are the network staff's: no link to a refusal.
    assert ">Bagueurs</a>" not in response.content.decode()
    assert client.get(detail(ringing.session)).status_code == 404
    assert client.get(CREATE).status_code == 403
    assert ">Nouvelle session</a>" not in client.get(LIST).content.decode()


def test_a_reader_of_a_public_dataset_gets_no_entry_row(
    client, ringing, partenaire_user
):
    ringing.dataset.is_public = True
    ringing.dataset.save()
    client.force_login(partenaire_user)
    html = client.get(detail(ringing.session)).content.decode()
    assert "Marais de la Glissoire" in html
    assert "data-entry-row" not in html
    update = reverse("baguage:session_update", args=[ringing.session.pk])
    assert client.get(update).status_code == 403


def test_a_validator_reads_the_session_and_enters_nothing(
    client, ringing, validateur_user
):
    """A validator validates; a validator who also rings holds the saisie role too."""
    client.force_login(validateur_user)
    html = client.get(detail(ringing.session)).content.decode()
    assert "Marais de la Glissoire" in html
    assert "data-entry-row" not in html
    validateur_user.groups.add(Group.objects.get_or_create(name=Role.SAISIE)[0])
    assert "data-entry-row" in client.get(detail(ringing.session)).content.decode()


def test_create_a_session_with_the_station_nets(client, ringing):
    client.force_login(ringing.user)
    form = client.get(CREATE).context["form"]
    assert form.initial["dataset"] == ringing.dataset.pk  # the only writable one
    assert form.initial["ringers"] == [ringing.ringer.person_id]  # a ringer
    response = client.post(
        CREATE,
        {
            "station": ringing.station.pk,
            "programme": ringing.programme.pk,
            "dataset": ringing.dataset.pk,
            "date": "2021-05-20",
            "start_time": "05:30",
            "end_time": "11:30",
            "ringers": [ringing.ringer.person_id],
            "weather": "Couvert",
            "wind": "2 Bf",
        },
    )
    session = Session.objects.latest("pk")
    assert response.status_code == 302
    assert response.url == detail(session)
    assert session.nets_count == 10 and session.nets_length_m == Decimal("120")
    assert session.created_by == ringing.user
    assert list(session.ringers.all()) == [ringing.ringer]
    assert session.effort_metre_hours == 720.0


def test_session_form_errors_are_french(client, ringing, other_organisation):
    client.force_login(ringing.user)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        CREATE,
        {
            "station": ringing.station.pk,
            "programme": ringing.programme.pk,
            "dataset": ringing.dataset.pk,
            "date": tomorrow.isoformat(),
            "start_time": "11:00",
            "end_time": "06:00",
        },
    )
    errors = response.context["form"].errors
    assert errors["date"] == ["La date ne peut pas être dans le futur."]
    assert errors["end_time"] == ["L'heure de fin précède l'heure de début."]
    assert errors["ringers"] == ["Choisissez au moins un bagueur."]
    assert "La session n'a pas été enregistrée" in response.content.decode()


def test_session_update(client, ringing):
    client.force_login(ringing.user)
    url = reverse("baguage:session_update", args=[ringing.session.pk])
    data = client.get(url).context["form"].initial
    assert data["station"] == ringing.station.pk
    response = client.post(
        url,
        {
            "station": ringing.station.pk,
            "programme": ringing.programme.pk,
            "dataset": ringing.dataset.pk,
            "date": "2020-06-14",
            "start_time": "06:00",
            "end_time": "12:30",
            "ringers": [ringing.ringer.person_id],
            "nets_count": 8,
            "nets_length_m": "96",
        },
    )
    assert response.status_code == 302
    ringing.session.refresh_from_db()
    assert ringing.session.end_time == dt.time(12, 30)
    assert ringing.session.nets_count == 8


def test_session_page_shows_context_problems_and_captures(client, ringing):
    ring(ringing, age="3")
    client.force_login(ringing.user)
    response = client.get(detail(ringing.session))
    html = response.content.decode()
    assert "DUMONT Claire" in html
    assert "720 m·h" in html
    assert "une session STOC en demande au moins 4" in html
    # Each cell: its text, and what a one-letter code means (read after it).
    assert response.context["rows"][0]["cells"][:4] == [
        ("B", "baguage"),
        ("0001000", ""),
        ("Erithacus rubecula", ""),
        ("3 (1A)", ""),
    ]
    assert '<td>B<span class="visually-hidden"> (baguage)</span></td>' in html
    assert 'data-autocomplete-url="/api/v1/taxa/?atlas_group=oiseaux"' in html
    config = response.context["grid_config"]
    assert config["capturesUrl"] == CAPTURES
    assert config["session"] == ringing.session.pk


def test_entry_through_the_api_with_the_page_csrf_token(ringing):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ringing.user)
    page = browser.get(detail(ringing.session)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    line = {
        "session": ringing.session.pk,
        "action": "B",
        "ring_number": "0001000",
        "taxon": ringing.robin.cd_nom,
        "age": "+1a",
        "sex": "m",
        "wing_mm": "85",
        "mass_g": None,
        "time": "07:30",
        "net": "3",
        "condition": "",
        "circumstances": "",
        "other_marks": "",
        "ring_scheme": "",
        "remarks": "",
    }
    refused = browser.post(CAPTURES, line, content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    response = browser.post(
        CAPTURES, line, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.json()
    saved = response.json()
    assert saved["age"] == "4" and saved["age_french"] == "+1A"
    assert saved["sex"] == "M" and saved["condition"] == "8"
    assert saved["other_marks"] == "ZZ" and saved["ring_scheme"] == "FRP"
    assert saved["line"] == 1 and saved["ring_size"] == "A"
    assert saved["warnings"] == [
        "Aile de 85 mm hors de l'intervalle habituel de l'espèce (66–76 mm) : "
        "vérifiez la mesure."
    ]
    again = browser.post(
        CAPTURES,
        line | {"taxon": None, "age": "XX"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert again.status_code == 400
    assert again.json()["taxon"] == ["Choisissez l'espèce dans la liste proposée."]
    assert again.json()["age"][0].startswith("Âge inconnu")
    assert Capture.objects.count() == 1


def test_ring_history_of_a_control(client, ringing, partenaire_user):
    ring(ringing)
    ring(ringing, action="C")
    client.force_login(ringing.user)
    data = client.get(HISTORY, {"bague": "000 1000"}).json()
    assert data["known"] is True and data["hidden"] == 0
    assert [(c["action"], c["taxon_name"]) for c in data["captures"]] == [
        ("B", "Erithacus rubecula"),
        ("C", "Erithacus rubecula"),
    ]
    assert data["captures"][0]["date"] == "2020-06-14"
    unknown = client.get(HISTORY, {"bague": "AB123", "centre": "blb"}).json()
    assert unknown == {
        "scheme": "BLB",
        "ring": "AB123",
        "known": False,
        "hidden": 0,
        "captures": [],
    }
    # Another organisation's reader learns that the ring is known, not where or when.
    client.force_login(partenaire_user)
    data = client.get(HISTORY, {"bague": "0001000"}).json()
    assert data["known"] is True and data["hidden"] == 2 and data["captures"] == []


def test_next_ring_of_a_species_size(client, ringing):
    ring(ringing)
    client.force_login(ringing.user)
    assert client.get(NEXT, {"taxon": ringing.robin.cd_nom}).json() == {
        "size": "A",
        "ring": "0001001",
    }
    assert client.get(NEXT, {"taxon": ringing.wren.cd_nom}).json() == {
        "size": "AA",
        "ring": None,
    }
    assert client.get(NEXT, {"taille": "a"}).json()["ring"] == "0001001"


def test_stock_page_warns_when_a_size_runs_low(client, ringing):
    RingSeriesFactory(size="B", prefix="BX", first=1, last=20, digits=5)
    client.force_login(ringing.user)
    html = client.get(STOCK).content.decode()
    assert '<tr data-size="A">' in html  # 100 rings left
    assert '<tr data-size="B" class="is-low">' in html  # 20 rings left
    assert html.count("Stock bas") == 1
    assert "0001000" in html and "0001099" in html and "BX00020" in html


def test_ringers_page_highlights_an_expired_permit(client, ringing):
    expired = RingerFactory(
        valid_until=dt.date(2019, 12, 31), person__last_name="Ancien"
    )
    StationFactory()
    client.force_login(ringing.user)
    html = client.get(RINGERS).content.decode()
    assert f'<tr data-ringer="{expired.pk}" class="is-expired">' in html
    assert f'<tr data-ringer="{ringing.ringer.pk}">' in html
    assert html.count("Permis expiré") == 1


def test_ringers_are_chosen_among_the_people_the_user_may_name(
    client, ringing, organisation, other_organisation
):
    """The ringers of the form: the ringers the user may name (their organisation's,
    PersonQuerySet.selectable_by), as chips over the checkboxes; another structure's
    ringer is neither offered nor accepted, unless they already are on the session."""
    from referentiel.models import Person
    from tests.factories.referentiel import PersonFactory

    colleague = RingerFactory(
        person=PersonFactory(
            first_name="Paul", last_name="Lenoir", organisation=organisation
        )
    )
    stranger = RingerFactory(
        person=PersonFactory(
            first_name="Anne", last_name="Vasseur", organisation=other_organisation
        )
    )
    PersonFactory(first_name="Paula", last_name="Martin", organisation=organisation)
    client.force_login(ringing.user)
    response = client.get(CREATE)
    offered = set(response.context["form"].fields["ringers"].queryset)
    assert offered == {ringing.ringer.person, colleague.person}
    html = response.content.decode()
    assert 'data-chips-boxes="id_ringers"' in html
    assert "/api/v1/persons/?bagueur=true" in html and "js/chips.js" in html
    assert "VASSEUR Anne" not in html

    # The search the chips use: the ringers only, among the people the user may name.
    found = client.get("/api/v1/persons/?bagueur=true&search=pa").json()["results"]
    assert [p["name"] for p in found] == ["LENOIR Paul"]
    others = client.get("/api/v1/persons/?bagueur=false&search=pa").json()["results"]
    assert [p["name"] for p in others] == ["MARTIN Paula"]

    data = {
        "station": ringing.station.pk,
        "programme": ringing.programme.pk,
        "dataset": ringing.dataset.pk,
        "date": "2021-05-21",
        "start_time": "05:30",
        "end_time": "11:30",
        "ringers": [colleague.person_id, stranger.person_id],
    }
    refused = client.post(CREATE, data)
    assert refused.status_code == 200
    assert "ringers" in refused.context["form"].errors
    data["ringers"] = [ringing.ringer.person_id, colleague.person_id]
    assert client.post(CREATE, data).status_code == 302
    session = Session.objects.latest("pk")
    assert set(session.ringers.all()) == {ringing.ringer, colleague}

    # A session that already names another structure's ringer keeps offering them.
    session.ringers.add(stranger)
    url = reverse("baguage:session_update", args=[session.pk])
    form = client.get(url).context["form"]
    assert stranger.person in set(form.fields["ringers"].queryset)
    assert set(form.initial["ringers"]) == {
        ringing.ringer.person_id,
        colleague.person_id,
        stranger.person_id,
    }
    assert Person.objects.filter(ringer__isnull=False).count() == 3

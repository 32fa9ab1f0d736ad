"""Volunteers and members: consent, GDPR export (JSON, CSV) and erasure on request."""

import csv
import io

import pytest
from django.urls import reverse

from referentiel.models import Person
from sensibilisation.models import ActionParticipant, Report, Volunteer
from tests.factories.sensibilisation import (
    ActionFactory,
    ReportFactory,
    VolunteerFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(organisation):
    volunteer = VolunteerFactory(
        organisation=organisation,
        person__first_name="Léa",
        person__last_name="Martin",
        person__email="lea.martin@example.org",
        phone="06 00 00 00 00",
    )
    work_day = ActionFactory(
        organisation=organisation, kind="chantier", title="Chantier ZEC Delta 3"
    )
    ActionParticipant.objects.create(
        action=work_day, person=volunteer.person, role="benevole", hours=6
    )
    return volunteer


def test_a_coordinator_records_a_volunteer_with_consent(client, coordinateur_user):
    client.force_login(coordinateur_user)
    response = client.post(
        reverse("sensibilisation:volunteer_create"),
        {
            "first_name": "Hugo",
            "last_name": "Bernard",
            "email": "hugo@example.org",
            "status": "benevole",
            "consent_scope": ["contact", "nomme"],
        },
    )
    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert volunteer.person.organisation == coordinateur_user.organisation
    assert volunteer.consent_scope == ["contact", "nomme"]
    assert volunteer.consent_date is not None and volunteer.has_consent


def test_the_gdpr_export_holds_the_persons_data(client, coordinateur_user, volunteer):
    # A report to a campaign of the volunteer's organisation (another structure's
    # campaigns are not this organisation's records: test_no_leak.py).
    ReportFactory(
        email="LEA.MARTIN@example.org",
        address="3 rue des Mares",
        species__campaign__organisation=volunteer.organisation,
    )
    client.force_login(coordinateur_user)
    response = client.get(
        reverse("sensibilisation:volunteer_export", args=[volunteer.pk, "json"])
    )
    data = response.json()
    assert data["personne"]["courriel"] == "lea.martin@example.org"
    assert data["benevole"]["telephone"] == "06 00 00 00 00"
    assert data["participations"][0]["heures"] == 6.0
    assert data["signalements"][0]["adresse"] == "3 rue des Mares"
    response = client.get(
        reverse("sensibilisation:volunteer_export", args=[volunteer.pk, "csv"])
    )
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert ["personne", "nom", "Martin"] in rows
    assert ["benevole", "telephone", "06 00 00 00 00"] in rows


def test_erasure_anonymises_and_keeps_the_counts(client, coordinateur_user, volunteer):
    report = ReportFactory(
        email="lea.martin@example.org",
        address="3 rue des Mares",
        species__campaign__organisation=volunteer.organisation,
    )
    person_pk = volunteer.person.pk
    client.force_login(coordinateur_user)
    response = client.post(
        reverse("sensibilisation:volunteer_erase", args=[volunteer.pk])
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=person_pk)
    assert (person.first_name, person.email) == ("", "")
    assert person.last_name == f"Anonyme {person_pk}"
    assert not Volunteer.objects.exists()
    assert ActionParticipant.objects.filter(person=person).count() == 1
    report.refresh_from_db()
    assert (report.email, report.address) == ("", "")
    assert Report.objects.count() == 1


def test_only_coordinators_of_the_organisation_reach_personal_data(
    client, saisie_user, validateur_user, partenaire_user, volunteer
):
    urls = [
        reverse("sensibilisation:volunteer_list"),
        reverse("sensibilisation:volunteer_detail", args=[volunteer.pk]),
        reverse("sensibilisation:volunteer_export", args=[volunteer.pk, "json"]),
    ]
    for user in (saisie_user, validateur_user, partenaire_user):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403
        assert (
            client.post(
                reverse("sensibilisation:volunteer_erase", args=[volunteer.pk])
            ).status_code
            == 403
        )
    assert Volunteer.objects.exists()


def test_another_organisations_coordinator_cannot_see_them(
    client, other_organisation, volunteer
):
    from referentiel.models import Role
    from tests.factories.referentiel import UserFactory

    other = UserFactory(
        username="coord-eden",
        organisation=other_organisation,
        roles=[Role.COORDINATEUR],
    )
    client.force_login(other)
    assert (
        client.get(
            reverse("sensibilisation:volunteer_detail", args=[volunteer.pk])
        ).status_code
        == 404
    )
    assert (
        "Martin"
        not in client.get(reverse("sensibilisation:volunteer_list")).content.decode()
    )

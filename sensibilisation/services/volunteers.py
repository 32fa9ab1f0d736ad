"""Volunteers and members: consent, and the GDPR rights of access (export) and erasure.

Erasure anonymises instead of deleting: the person's participations stay counted in the
figures of past years, but nothing left identifies them. The referential has no service
for people, so the ``Person`` row is anonymised here (a write down the layers)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from referentiel.models import Person
from sensibilisation.models import ActionParticipant, Report, Volunteer


@transaction.atomic
def volunteer_save(*, volunteer: Volunteer) -> Volunteer:
    if volunteer.consent_scope and not volunteer.consent_date:
        volunteer.consent_date = timezone.localdate()
    volunteer.full_clean()
    volunteer.save()
    return volunteer


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def person_export(*, person: Person) -> dict:
    """Everything the app holds about ``person`` (GDPR art. 15), as plain JSON data."""
    data: dict = {
        "personne": {
            "prenom": person.first_name,
            "nom": person.last_name,
            "courriel": person.email,
            "organisme": str(person.organisation) if person.organisation_id else "",
        },
        "benevole": None,
        "participations": [],
        "signalements": [],
    }
    volunteer = Volunteer.objects.filter(person=person).first()
    if volunteer:
        data["benevole"] = {
            "statut": volunteer.get_status_display(),
            "telephone": volunteer.phone,
            "adherent_depuis": _iso(volunteer.member_since),
            "date_consentement": _iso(volunteer.consent_date),
            "objet_consentement": list(volunteer.consent_scope),
            "consentement_retire_le": _iso(volunteer.consent_withdrawn_on),
            "remarques": volunteer.notes,
        }
    for participation in ActionParticipant.objects.filter(person=person).select_related(
        "action"
    ):
        data["participations"].append(
            {
                "action": participation.action.title,
                "type": participation.action.get_kind_display(),
                "date": _iso(participation.action.start_date),
                "role": participation.get_role_display(),
                "heures": float(participation.hours)
                if participation.hours is not None
                else None,
            }
        )
    if person.email:
        for report in Report.objects.filter(email__iexact=person.email).select_related(
            "campaign", "species"
        ):
            data["signalements"].append(
                {
                    "campagne": report.campaign.title,
                    "espece": report.species.common_name,
                    "date": _iso(report.observed_on),
                    "adresse": report.address,
                    "etat": report.get_status_display(),
                }
            )
    return data


def person_export_rows(*, person: Person) -> list[list[str]]:
    """The same export as CSV rows: ``section, champ, valeur``."""
    rows = [["rubrique", "champ", "valeur"]]
    data = person_export(person=person)
    for key, value in data["personne"].items():
        rows.append(["personne", key, str(value)])
    for key, value in (data["benevole"] or {}).items():
        rows.append(
            [
                "benevole",
                key,
                ", ".join(value) if isinstance(value, list) else str(value or ""),
            ]
        )
    for section in ("participations", "signalements"):
        for index, item in enumerate(data[section], start=1):
            for key, value in item.items():
                rows.append(
                    [f"{section} {index}", key, "" if value is None else str(value)]
                )
    return rows


@transaction.atomic
def person_erase(*, person: Person) -> Person:
    """Anonymise ``person`` on request (GDPR art. 17): name, email and account link are
    cleared, their volunteer record deleted, their campaign reports stripped of email and
    address. Participations stay (anonymous) so past figures do not change."""
    email = person.email
    Volunteer.objects.filter(person=person).delete()
    if email:
        Report.objects.filter(email__iexact=email).update(email="", address="")
    person.first_name = ""
    person.last_name = f"Anonyme {person.pk}"
    person.email = ""
    person.user = None
    person.save(
        update_fields=["first_name", "last_name", "email", "user", "updated_at"]
    )
    return person

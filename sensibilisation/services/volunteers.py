"""Volunteers and members: consent, and the GDPR rights of access (export) and erasure.

Erasure anonymises instead of deleting: the person's participations stay counted in the
figures of past years, but nothing left identifies them. The referential has no service
for people, so the ``Person`` row is anonymised here (a write down the layers)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from referentiel.models import Organisation, Person
from sensibilisation.models import ActionParticipant, Report, Volunteer
from sensibilisation.permissions import reports_placeable


@transaction.atomic
def volunteer_save(*, volunteer: Volunteer) -> Volunteer:
    if volunteer.consent_scope and not volunteer.consent_date:
        volunteer.consent_date = timezone.localdate()
    volunteer.full_clean()
    volunteer.save()
    return volunteer


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _reports_of(person: Person, organisation: Organisation | None):
    """The campaign reports sent from the person's address to the campaigns of
    ``organisation`` (all campaigns when None: the command line, never a page). Another
    structure's campaigns are that structure's records, and their reporters' data stays
    there."""
    if not person.email:
        return Report.objects.none()
    reports = Report.objects.filter(email__iexact=person.email)
    if organisation is not None:
        reports = reports.filter(campaign__organisation=organisation)
    return reports


def person_export(
    *, person: Person, organisation: Organisation | None = None, user=None
) -> dict:
    """Everything ``organisation`` holds about ``person`` (GDPR art. 15), as plain JSON
    data. For ``user`` (the coordinator who exports), a report whose occurrence they may
    not place is counted in ``signalements_non_detailles``, not described
    (observations.policy)."""
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
                "date": _iso(participation.action.date_start),
                "role": participation.get_role_display(),
                "heures": float(participation.hours)
                if participation.hours is not None
                else None,
            }
        )
    reports = _reports_of(person, organisation)
    if user is not None:
        shown = reports_placeable(reports, user)
        data["signalements_non_detailles"] = reports.count() - shown.count()
        reports = shown
    if person.email:
        for report in reports.select_related("campaign", "species"):
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


def person_export_rows(
    *, person: Person, organisation: Organisation | None = None, user=None
) -> list[list[str]]:
    """The same export as CSV rows: ``section, champ, valeur``."""
    rows = [["rubrique", "champ", "valeur"]]
    data = person_export(person=person, organisation=organisation, user=user)
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
    if data.get("signalements_non_detailles"):
        rows.append(
            ["signalements", "non détaillés", str(data["signalements_non_detailles"])]
        )
    return rows


@transaction.atomic
def person_erase(*, person: Person, organisation: Organisation | None = None) -> Person:
    """Anonymise ``person`` on request (GDPR art. 17): name, email and account link are
    cleared, their volunteer record deleted, their reports to ``organisation``'s campaigns
    stripped of email and address (another structure's reports are erased by that
    structure: a coordinator changes only their organisation's records). Participations
    stay (anonymous) so past figures do not change."""
    _reports_of(person, organisation).update(email="", address="")
    Volunteer.objects.filter(person=person).delete()
    person.first_name = ""
    person.last_name = f"Anonyme {person.pk}"
    person.email = ""
    person.user = None
    person.save(
        update_fields=["first_name", "last_name", "email", "user", "updated_at"]
    )
    return person

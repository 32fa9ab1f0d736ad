"""The 2020 outreach actions of the CPIE Chaîne des Terrils (context.md), per action line,
read from ``data/actions_2020.csv`` and ``data/training_sessions_2020.csv``.

Action 2's "people trained or made aware" is 411 = 250 (webinar) + 115 (cross-border
event) + 28 (volunteers trained in ringing) + 18 (six work days of 3 people at ZEC
Delta 3); action 1 has 7 training days with 45 participants, 8 awareness actions and 4
popularisation publications. Columns: ``place`` is a commune's INSEE code or a site's
name, ``audiences`` space-separated codes, ``partners`` organisation names separated by
``|``."""

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from referentiel.models import Commune, Organisation, Person, Site
from sensibilisation.models import Action, ActionParticipant, TrainingSession, Volunteer

CPIE = "CPIE Chaîne des Terrils"
DATA = Path(__file__).resolve().parent / "data"

# Fictitious volunteers (first name, last name, status, consent scope).
VOLUNTEERS = (
    ("Léa", "Martin", Volunteer.Status.BOTH, ["contact", "nomme", "photos"]),
    ("Hugo", "Bernard", Volunteer.Status.VOLUNTEER, ["contact", "nomme"]),
    ("Chloé", "Petit", Volunteer.Status.VOLUNTEER, ["contact"]),
    ("Louis", "Durand", Volunteer.Status.MEMBER, ["contact", "nomme"]),
    ("Manon", "Leroy", Volunteer.Status.VOLUNTEER, ["contact", "nomme"]),
    ("Jules", "Moreau", Volunteer.Status.BOTH, ["contact"]),
    ("Inès", "Simon", Volunteer.Status.VOLUNTEER, ["contact", "nomme", "photos"]),
    ("Tom", "Laurent", Volunteer.Status.MEMBER, []),
)
RINGING_TRAINING = "Formation des bénévoles au baguage des oiseaux"


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def volunteers_upsert() -> list[Volunteer] | None:
    cpie = Organisation.objects.filter(name=CPIE).first()
    if cpie is None:
        return None
    volunteers = []
    for first, last, status, scope in VOLUNTEERS:
        person, _ = Person.objects.get_or_create(
            first_name=first,
            last_name=last.upper(),
            organisation=cpie,
            defaults={"email": f"{first.lower()}.{last.lower()}@example.org"},
        )
        volunteer, _ = Volunteer.objects.get_or_create(
            person=person,
            defaults={
                "organisation": cpie,
                "status": status,
                "consent_date": dt.date(2020, 1, 10) if scope else None,
                "consent_scope": scope,
            },
        )
        volunteers.append(volunteer)
    return volunteers


def _place(code: str) -> dict:
    if not code:
        return {}
    if code.isdigit():
        return {"commune": Commune.objects.filter(insee=code).first()}
    return {"site": Site.objects.filter(name=code).first()}


def actions_upsert(*, volunteers: list[Volunteer]) -> int:
    """Create the missing 2020 actions with their sessions and named volunteers."""
    cpie = Organisation.objects.get(name=CPIE)
    sessions = defaultdict(list)
    for row in _read("training_sessions_2020.csv"):
        sessions[row["title"]].append(row)
    people = [v.person for v in volunteers]
    created_count = work_days = 0
    for row in _read("actions_2020.csv"):
        action, created = Action.objects.get_or_create(
            organisation=cpie,
            title=row["title"],
            date_start=dt.date.fromisoformat(row["start"]),
            defaults={
                "kind": row["kind"],
                "date_end": dt.date.fromisoformat(row["end"]) if row["end"] else None,
                "action_line": int(row["line"]),
                "participants_count": int(row["participants"]),
                "format": row["format"],
                "audiences": row["audiences"].split(),
                "duration_hours": Decimal(row["duration_hours"])
                if row["duration_hours"]
                else None,
                "theme": "Zones humides" if row["line"] == "2" else "",
                **_place(row["place"]),
            },
        )
        if action.kind == Action.Kind.WORK_DAY:
            work_days += 1
        if not created:
            continue
        created_count += 1
        action.partners.set(
            Organisation.objects.filter(name__in=row["partners"].split("|"))
        )
        for session in sessions[action.title]:
            TrainingSession.objects.create(
                action=action,
                date=dt.date.fromisoformat(session["date"]),
                duration_hours=Decimal(session["hours"]),
                topic=session["topic"],
            )
        if action.kind == Action.Kind.WORK_DAY:
            # Two named volunteers a day (7 h each), the third participant unnamed.
            for person in (
                people[work_days % len(people)],
                people[(work_days + 1) % len(people)],
            ):
                ActionParticipant.objects.create(
                    action=action, person=person, role="benevole", hours=Decimal(7)
                )
        elif action.title == RINGING_TRAINING:
            for person in people[:6]:
                ActionParticipant.objects.create(
                    action=action, person=person, role="stagiaire"
                )
    return created_count

"""Writes on outreach actions, their training sessions and named participants."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction

from referentiel.models import Person
from sensibilisation.models import Action, ActionParticipant, TrainingSession


@transaction.atomic
def action_save(*, action: Action, user, partners: Iterable | None = None) -> Action:
    """Create or update an action (checked by its model and constraints)."""
    if action.pk is None:
        action.created_by = user
    action.updated_by = user
    action.full_clean()
    action.save()
    if partners is not None:
        action.partners.set(partners)
    return action


@transaction.atomic
def training_session_add(
    *, action: Action, date: dt.date, duration_hours: Decimal = Decimal(7), topic=""
) -> TrainingSession:
    session = TrainingSession(
        action=action, date=date, duration_hours=duration_hours, topic=topic
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def participants_set(
    *,
    action: Action,
    people: Iterable[Person],
    role: str,
    hours: Decimal | None = None,
) -> int:
    """Name ``people`` as participants of ``action`` with ``role`` (already named ones are
    updated, none removed); returns how many are named with that role."""
    for person in people:
        ActionParticipant.objects.update_or_create(
            action=action, person=person, defaults={"role": role, "hours": hours}
        )
    return action.participants.filter(role=role).count()


def person_for_name(*, name: str, organisation) -> Person:
    """The person named "NOM Prénom" in ``organisation``, created when unknown."""
    last, _sep, first = name.strip().partition(" ")
    person = Person.objects.filter(
        last_name__iexact=last, first_name__iexact=first, organisation=organisation
    ).first()
    return person or Person.objects.create(
        last_name=last.upper(), first_name=first.strip(), organisation=organisation
    )

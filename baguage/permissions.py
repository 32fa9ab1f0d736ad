"""Who may read and write ringing sessions and captures.

A session belongs to a dataset: it is readable when the dataset is visible to the user and
writable (the session itself and its captures) by a writing role when the dataset is one
the user may enter data into. Anonymous users see nothing (the pages ask them to log in)."""

from django.db.models import QuerySet

from baguage.models import Session
from referentiel.models import Dataset


def user_can_enter(user) -> bool:
    """A writing role (saisie, validateur, coordinateur or superuser)."""
    return bool(user.is_authenticated and user.write_scope is not None)


def sessions_visible_to(user) -> QuerySet[Session]:
    if not user.is_authenticated:
        return Session.objects.none()
    return Session.objects.filter(dataset__in=Dataset.objects.visible_to(user))


def sessions_writable_by(user) -> QuerySet[Session]:
    if not user_can_enter(user):
        return Session.objects.none()
    return Session.objects.filter(dataset__in=Dataset.objects.writable_by(user))


def session_can_edit(user, session: Session) -> bool:
    return (
        user_can_enter(user)
        and Dataset.objects.writable_by(user).filter(pk=session.dataset_id).exists()
    )

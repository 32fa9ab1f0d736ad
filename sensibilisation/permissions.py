"""Who may use which sensibilisation page. The campaign pages are public; the records of
actions and of people belong to an organisation and are kept by its coordinators."""

from django.db.models import QuerySet

from observations.models import Occurrence
from observations.permissions import user_can_validate
from referentiel.models import Role, Scope
from sensibilisation.models import Action, Report, Volunteer


def user_can_coordinate(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.COORDINATEUR))


def user_reads_actions(user) -> bool:
    """Any member of an organisation (staff or partner) reads its organisation's actions;
    regional coordinators read all of them."""
    return bool(user.is_authenticated and user.read_scope != Scope.OWN)


def _scoped(queryset: QuerySet, user) -> QuerySet:
    if user.read_scope == Scope.ALL:
        return queryset
    return queryset.filter(organisation_id=user.organisation_id)


def actions_visible_to(user) -> QuerySet:
    if not user_reads_actions(user):
        return Action.objects.none()
    return _scoped(Action.objects.all(), user)


def action_can_edit(user, action: Action) -> bool:
    return user_can_coordinate(user) and (
        user.write_scope == Scope.ALL or action.organisation_id == user.organisation_id
    )


def volunteers_visible_to(user) -> QuerySet:
    """Personal data: coordinators only, of their organisation (regional: all)."""
    if not user_can_coordinate(user):
        return Volunteer.objects.none()
    return _scoped(Volunteer.objects.all(), user)


def report_photo_can_view(user, report: Report) -> bool:
    """Validators who may validate the report's occurrence, and the campaign's
    coordinators, see its photo; nobody else (a garden photo is personal data)."""
    if not user.is_authenticated:
        return False
    if user_can_coordinate(user) and (
        user.read_scope == Scope.ALL
        or report.campaign.organisation_id == user.organisation_id
    ):
        return True
    return bool(
        report.occurrence_id
        and user_can_validate(user)
        and Occurrence.objects.validatable_by(user)
        .filter(pk=report.occurrence_id)
        .exists()
    )

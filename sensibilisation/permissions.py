"""Who may use which sensibilisation page. The campaign pages are public; the records of
actions and of people belong to an organisation and are kept by its coordinators.

Any member of an organisation (staff or partner) reads its organisation's actions,
regional coordinators all of them (``can_read_network``). Writes use the vocabulary of
``referentiel.permissions`` (``can_coordinate`` and the write
scope of ``write_q``): actions and volunteers have an organisation but no dataset, so the
organisation's coordinators change them (the network: all of them), as ``write_q`` does
for a model without an author; field staff and validators change none.

Reads of campaign reports follow the occurrence each report published
(``observations.policy``): a report is listed only when its occurrence is placeable by the
reader, and what identifies the reporter (e-mail address, photo, address, comment) never
leaves the structure that organises the campaign."""

from django.db.models import Q, QuerySet

from observations.models import Occurrence
from observations.policy import record_placeable_q, without_hidden_places
from referentiel.models import Scope, Site
from referentiel.permissions import (
    can_coordinate,
    can_read_network,
    can_validate,
    write_q,
)
from sensibilisation.models import Action, Report, Volunteer


def _scoped(queryset: QuerySet, user) -> QuerySet:
    if user.read_scope == Scope.ALL:
        return queryset
    return queryset.filter(organisation_id=user.organisation_id)


def organisation_write_q(user) -> Q | None:
    """What ``user`` may change among an organisation's own records (actions,
    volunteers): ``write_q`` for a model with an organisation and no author, i.e. the
    coordinators of that organisation, or the network. None: nothing."""
    return write_q(user, organisation="organisation", created_by=None)


def _writable(queryset: QuerySet, user) -> QuerySet:
    condition = organisation_write_q(user)
    return queryset.none() if condition is None else queryset.filter(condition)


def actions_visible_to(user) -> QuerySet:
    if not can_read_network(user):
        return Action.objects.none()
    return _scoped(Action.objects.all(), user)


def actions_writable(user) -> QuerySet:
    return _writable(Action.objects.all(), user)


def action_can_create(user) -> bool:
    """A coordinator with an organisation: the new action is that organisation's."""
    return organisation_write_q(user) is not None and user.organisation_id is not None


def action_can_edit(user, action: Action) -> bool:
    return (
        action.pk is not None and actions_writable(user).filter(pk=action.pk).exists()
    )


def volunteers_visible_to(user) -> QuerySet:
    """Personal data: coordinators only, of their organisation (regional: all)."""
    if not can_coordinate(user):
        return Volunteer.objects.none()
    return _scoped(Volunteer.objects.all(), user)


def volunteers_writable(user) -> QuerySet:
    return _writable(Volunteer.objects.all(), user)


def sites_shown_to(user) -> QuerySet:
    """Referential sites an action page may name and map for ``user``: public ones, and
    the others unless they hold a record the user may not place (observations.policy)."""
    return without_hidden_places(
        Site.objects.all(), user, link="site", public=Q(is_public=True)
    )


def in_organising_structure(user, campaign_organisation_id: int | None) -> bool:
    """Whether ``user`` belongs to the structure that organises a campaign (superusers:
    always). Reporters' personal data stays there."""
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or (
                user.organisation_id is not None
                and user.organisation_id == campaign_organisation_id
            )
        )
    )


def reports_readable(user) -> QuerySet:
    """The reports ``user`` may list, before the occurrence rule: every report of the
    campaigns of a coordinator's organisation (the network: all); for a validator, those
    whose occurrence they may validate; nothing for anyone else."""
    reports = Report.objects.all()
    if can_coordinate(user):
        if user.read_scope != Scope.ALL:
            reports = reports.filter(campaign__organisation_id=user.organisation_id)
        return reports
    if can_validate(user):
        return reports.filter(
            occurrence__in=Occurrence.objects.validatable_by(user).values("pk")
        )
    return Report.objects.none()


def reports_placeable(reports: QuerySet, user) -> QuerySet:
    """``reports`` narrowed to those whose occurrence the reader may place; a report not
    confirmed yet has no occurrence and is judged by its campaign (``reports_readable``)."""
    return reports.filter(record_placeable_q(user, "occurrence"))


def report_photo_can_view(user, report: Report) -> bool:
    """The photo (personal data: a garden, a house) is seen inside the organising
    structure only — its coordinators, and its validators who may validate the report's
    occurrence — and only when that occurrence is placeable by them."""
    if not in_organising_structure(user, report.campaign.organisation_id):
        return False
    if not reports_placeable(Report.objects.filter(pk=report.pk), user).exists():
        return False
    if can_coordinate(user):
        return True
    return bool(
        report.occurrence_id
        and can_validate(user)
        and Occurrence.objects.validatable_by(user)
        .filter(pk=report.occurrence_id)
        .exists()
    )

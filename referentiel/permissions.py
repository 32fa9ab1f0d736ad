"""The permission vocabulary: who may read and who may write what (DESIGN §7).

One place answers the two questions every page, API route, import and protocol entry asks:

* **read scope** (``readable_datasets``): which datasets a user reads — public ones, their
  organisation's, or all for the network (superusers, regional coordinators); anonymous
  visitors read only public ones. How precisely a record of a readable dataset is shown is
  the occurrence layer's business (``observations.policy``).
* **write scope** (``write_q`` / ``may_write``): what a user may change or delete — field
  staff their own records *in their organisation's datasets*, coordinators
  every record of their organisation's datasets, the network all. A record is never
  writable only because its author is the user: it must also lie in a dataset the user's
  organisation produces, so that moving to another structure, or a record entered by
  mistake in a partner's dataset, gives no write access to that partner's data.

Every model with a dataset and an author is checked with the same ``write_q``, given the
paths to both (a POP passage reaches its dataset through its pond's aire, a capture through
its session).

The roles (``can_enter``, ``can_validate``, ``can_coordinate``, ``can_extract``,
``can_read_network``) are asked here only: pages, API routes, imports and the menu each
app declares (its ``navigation`` module) call these predicates, never ``user.roles`` or
``user.write_scope`` themselves, so what a role may do is written once. ``User.has_role``
already answers yes for superusers: no caller adds ``is_superuser``. ``role_permission``
makes a DRF permission class of the same predicates.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from rest_framework.permissions import SAFE_METHODS, BasePermission

from referentiel.models import Dataset, Role, Scope


def signed_in(user) -> bool:
    """Any signed-in user, with or without a role."""
    return bool(user and user.is_authenticated)


def can_read_network(user) -> bool:
    """A member of the network: any role (staff or partner) reads their organisation's
    records, regional coordinators and superusers all of them."""
    return bool(signed_in(user) and user.read_scope != Scope.OWN)


def is_network_staff(user) -> bool:
    """Staff of a structure of the network (saisie, validateur, coordinateur, or a
    superuser), as opposed to a partner: what names people and permits is theirs."""
    return bool(
        signed_in(user)
        and (
            user.is_superuser
            or user.roles & {Role.SAISIE, Role.VALIDATEUR, Role.COORDINATEUR}
        )
    )


def can_enter(user) -> bool:
    """A writing role: saisie or coordinateur (or a superuser). A validator only
    validates (``can_validate``)."""
    return bool(user.is_authenticated and user.write_scope is not None)


def can_validate(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.has_role(Role.VALIDATEUR) or user.has_role(Role.COORDINATEUR))
    )


def can_coordinate(user) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.COORDINATEUR))


def can_extract(user) -> bool:
    """Request an extract for another structure: coordinators and partners."""
    return bool(
        user.is_authenticated
        and (user.has_role(Role.COORDINATEUR) or user.has_role(Role.PARTENAIRE))
    )


def readable_datasets(user):
    return Dataset.objects.visible_to(user)


def writable_datasets(user):
    """Datasets a user may enter data into: their organisation's (all for the network)."""
    return Dataset.objects.writable_by(user)


def default_dataset(user, datasets, last_used_id: int | None = None) -> Dataset | None:
    """The dataset an entry form starts on, among ``datasets`` (those the form offers):
    the one the user last entered into (``last_used_id``), else their organisation's
    default dataset, else the only one offered. Never the first in alphabetical order:
    with several and no default the user must choose (a record in the wrong dataset goes
    unnoticed to validation)."""
    candidates = [pk for pk in (last_used_id, _organisation_default(user)) if pk]
    if candidates:
        by_pk = {dataset.pk: dataset for dataset in datasets.filter(pk__in=candidates)}
        for pk in candidates:
            if pk in by_pk:
                return by_pk[pk]
    first_two = list(datasets.order_by("pk")[:2])
    return first_two[0] if len(first_two) == 1 else None


def _organisation_default(user) -> int | None:
    organisation = (
        getattr(user, "organisation", None) if user.is_authenticated else None
    )
    return organisation.default_dataset_id if organisation is not None else None


def write_q(
    user,
    *,
    dataset: str | None = "dataset",
    organisation: str | None = None,
    created_by: str | None = "created_by",
) -> Q | None:
    """The records ``user`` may change or delete, as a filter on a model whose dataset is at
    ``dataset`` (its producer is the organisation the record belongs to) — or, for a model
    without a dataset, whose organisation is at ``organisation`` (``"organisation"``, or
    ``"created_by__organisation"`` for a row that belongs to its author's) — and whose
    author is at ``created_by`` (None: a model without an author, writable by its
    organisation's coordinators only). None means nothing at all (callers use
    ``queryset.none()``)."""
    if not can_enter(user):
        return None
    scope = user.write_scope
    if scope == Scope.ALL:
        return Q()
    if user.organisation_id is None:
        return None
    if organisation is not None:
        in_organisation = Q(**{f"{organisation}_id": user.organisation_id})
    else:
        in_organisation = Q(**{f"{dataset}__producer_id": user.organisation_id})
    if scope == Scope.ORGANISATION:
        return in_organisation
    if created_by is None:
        return None
    return in_organisation & Q(**{f"{created_by}_id": user.pk})


def import_jobs_readable(queryset, user):
    """The import jobs (a file's import into a dataset: occurrences, CRBPO season…)
    ``user`` reads: none without a writing role; those into their organisation's datasets
    and their own; all for the network. Their reports quote the file's cells, so a
    partner, or another structure's staff, reads none of them."""
    if not can_enter(user):
        return queryset.none()
    if user.write_scope == Scope.ALL:
        return queryset
    return queryset.filter(
        Q(dataset__producer_id=user.organisation_id) | Q(created_by_id=user.pk)
    )


def writable(queryset, user, **paths):
    """``queryset`` narrowed to what ``user`` may change (see ``write_q``)."""
    condition = write_q(user, **paths)
    return queryset.none() if condition is None else queryset.filter(condition)


def may_write(user, obj, **paths) -> bool:
    """Whether ``user`` may change or delete the saved ``obj``."""
    if obj.pk is None:
        return False
    return writable(
        type(obj)._default_manager.filter(pk=obj.pk), user, **paths
    ).exists()


def may_write_in(user, dataset_id: int | None) -> bool:
    """Whether ``user`` may create a record in the dataset ``dataset_id``."""
    return bool(
        dataset_id is not None
        and can_enter(user)
        and writable_datasets(user).filter(pk=dataset_id).exists()
    )


def role_permission(
    *,
    read: Callable[[object], bool],
    write: Callable[[object], bool] | None = None,
    may_change: Callable[[object, object], bool] | None = None,
    message: str = "",
) -> type[BasePermission]:
    """A DRF permission class made of the predicates above: ``read(user)`` for the safe
    methods, ``write(user)`` for the others (``read`` when None), and, on an existing row,
    ``may_change(user, obj)`` for the unsafe methods (None: the queryset already says)."""

    class RolePermission(BasePermission):
        def has_permission(self, request, view) -> bool:
            allowed = read if write is None or request.method in SAFE_METHODS else write
            return bool(allowed(request.user))

        def has_object_permission(self, request, view, obj) -> bool:
            if may_change is None or request.method in SAFE_METHODS:
                return True
            return bool(may_change(request.user, obj))

    RolePermission.message = message
    return RolePermission

"""The admin reads as the pages read: one mixin for every ModelAdmin and inline whose rows
belong to an organisation or publish a record.

Staff who are not superusers exist (a structure's administrator managing its own people,
sites and campaigns); without this mixin Django's admin would show them every row of every
organisation, with the precise places, comments and personal data the pages hide. A
``ReaderScoped`` admin shows a staff member the rows ``visible(user)`` gives — each app says
which with its own read rule (the pages' selectors) — and nothing when it says nothing
(fail closed). Superusers, who read the whole network precisely, see everything. Filters on
a relation list only the values of the rows shown (a list of every station of the network
in the sidebar would name the protected ones). ``tests/test_admin_scope.py`` fails on a
registered admin of organisation data that is not scoped, so a new admin is scoped the day
it is added."""

from __future__ import annotations

from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist


class ReaderScoped:
    """Mixin for ``ModelAdmin`` and ``InlineModelAdmin``: ``visible(user)`` gives the rows
    a staff member reads; ``may_change(user, obj)`` those they may change or delete (None:
    the model permissions alone)."""

    def visible(self, user):
        # Fail closed: a subclass that says nothing shows nothing to staff.
        return self.model._default_manager.none()

    def may_change(self, user, obj) -> bool | None:
        return None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=self.visible(request.user).values("pk"))

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [self._only_shown(item) for item in filters]

    def _only_shown(self, item):
        if not isinstance(item, str):
            return item
        try:
            field = get_fields_from_path(self.model, item)[-1]
        except FieldDoesNotExist:
            return item
        return (item, RelatedOnlyFieldListFilter) if field.is_relation else item

    def _allowed(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        allowed = self.may_change(request.user, obj)
        return True if allowed is None else allowed

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._allowed(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._allowed(
            request, obj
        )


def in_organisation(model, user, path: str = "organisation"):
    """Rows of ``model`` whose organisation (at ``path``) is the user's."""
    if user.organisation_id is None:
        return model._default_manager.none()
    return model._default_manager.filter(**{f"{path}_id": user.organisation_id})

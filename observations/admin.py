from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from leaflet.admin import LeafletGeoAdmin

from cpie_naturaliste.core.admin import ReaderScoped, in_organisation
from observations.blurring import Reader
from observations.counts import admin as counts_admin  # noqa: F401 (registers it)
from observations.imports.selectors import import_batches_visible_to
from observations.models import (
    DataExchange,
    ImportBatch,
    ImportMapping,
    Occurrence,
    OccurrenceChange,
    SinpExport,
    Validation,
)
from observations.services import occurrence_delete
from referentiel.models import Organisation, Scope, SensitivityLevel
from referentiel.permissions import can_coordinate


class ValidationInline(admin.TabularInline):
    model = Validation
    extra = 0
    can_delete = False
    readonly_fields = ["status", "validator", "comment", "validated_at", "is_automatic"]

    def has_add_permission(self, request, obj=None):
        return False


class OccurrenceChangeInline(admin.TabularInline):
    model = OccurrenceChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "changes", "user", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Occurrence)
class OccurrenceAdmin(LeafletGeoAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "taxon",
        "date_start",
        "shown_commune",
        "dataset",
        "validation_status",
        "source",
    ]
    list_filter = [
        "validation_status",
        "source",
        "atlas_group",
        "observation_status",
    ]
    list_select_related = ["taxon", "commune", "dataset"]
    # No search or filter on the place name or the derived areas: they would locate blurred
    # records (observations.blurring); the observation list page filters them safely.
    search_fields = ["=uuid", "cited_name", "observers_label"]
    date_hierarchy = "date_start"
    show_full_result_count = False  # a million rows: no COUNT(*) per page
    raw_id_fields = ["taxon", "site", "determiner", "validator", "import_batch"]
    autocomplete_fields = ["dataset", "programme", "observers"]
    readonly_fields = [
        "uuid",
        "communes",
        "commune",
        "departement",
        "grid_10km",
        "atlas_group",
        "sensitivity_level",
        "diffusion_level",
        "created_by",
        "updated_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ValidationInline, OccurrenceChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=gettext_lazy("commune"), ordering="commune__name")
    def shown_commune(self, obj):
        """The commune, unless the record is blurred coarser than its commune."""
        if not obj.is_precise and obj.sensitivity_level != 1:
            return _("(floutée : %(area)s)") % {
                "area": SensitivityLevel(obj.sensitivity_level).area
            }
        return obj.commune

    def has_view_permission(self, request, obj=None):
        # The change form shows the precise geometry, place and history.
        if obj is not None and not Reader.for_user(request.user).sees_precisely(obj):
            return False
        return super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        # Field data changes go through the services (history, derived fields): use the app pages.
        return False

    # Deleting from the admin goes through the service too: it leaves the tombstone that
    # the SINP export and the sync API's deletions feed read.
    def delete_model(self, request, obj):
        occurrence_delete(occurrence=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for occurrence in queryset:
            occurrence_delete(occurrence=occurrence, user=request.user)


@admin.register(ImportBatch)
class ImportBatchAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = [
        "filename",
        "dataset",
        "status",
        "total_rows",
        "created_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["dataset", "created_by"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def visible(self, user):
        return import_batches_visible_to(user)

    def has_add_permission(self, request):
        return False


@admin.register(ImportMapping)
class ImportMappingAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = ["name", "organisation", "is_default"]
    list_filter = ["organisation"]
    search_fields = ["name"]

    def visible(self, user):
        return in_organisation(ImportMapping, user)


@admin.register(SinpExport)
class SinpExportAdmin(ReaderScoped, admin.ModelAdmin):
    """The log of SINP exports: read only (the next incremental export reads it)."""

    list_display = [
        "year",
        "pole",
        "mode",
        "organisation",
        "status",
        "rows_sent",
        "deletions_sent",
        "created_at",
        "created_by",
    ]
    list_filter = ["pole", "mode", "status", "year"]
    list_select_related = ["organisation", "created_by"]
    date_hierarchy = "created_at"

    def visible(self, user):
        # A local coordinator's exports (the network's are the regional coordination's).
        return in_organisation(SinpExport, user)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataExchange)
class DataExchangeAdmin(ReaderScoped, admin.ModelAdmin):
    """Exchanges made outside the app, recorded by hand (partner, date, content, number
    of data): the exchange log and the report count them with the extracts."""

    list_display = [
        "date",
        "partner",
        "direction",
        "content",
        "fauna_rows",
        "flora_rows",
        "organisation",
    ]
    list_filter = ["direction", "partner", "organisation"]
    list_select_related = ["partner", "organisation"]
    search_fields = ["content", "partner__name", "partner__short_name"]
    date_hierarchy = "date"

    def visible(self, user):
        if user.read_scope == Scope.ALL:
            return DataExchange.objects.all()
        return in_organisation(DataExchange, user)

    def may_change(self, user, obj) -> bool:
        # The structure's coordinators record its exchanges (the network's: all).
        return can_coordinate(user) and (
            user.write_scope == Scope.ALL or obj.organisation_id == user.organisation_id
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if db_field.name == "organisation":
            kwargs["initial"] = user.organisation_id
            if not user.is_superuser and user.write_scope != Scope.ALL:
                kwargs["queryset"] = Organisation.objects.filter(
                    pk=user.organisation_id
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

from django.contrib import admin
from django.db import models
from leaflet.admin import LeafletGeoAdmin

from observations.models import (
    ImportBatch,
    ImportMapping,
    Occurrence,
    OccurrenceChange,
    Validation,
)


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
        "commune",
        "dataset",
        "validation_status",
        "source",
    ]
    list_filter = [
        "validation_status",
        "source",
        "atlas_group",
        "observation_status",
        "departement",
    ]
    list_select_related = ["taxon", "commune", "dataset"]
    search_fields = ["=uuid", "cited_name", "observers_label", "place_name"]
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

    def has_change_permission(self, request, obj=None):
        # Field data changes go through the services (history, derived fields): use the app pages.
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_default"]
    list_filter = ["organisation"]
    search_fields = ["name"]

"""Admin of the ringing referential and data. Captures are entered on the session page
(their checks and published occurrence live in baguage.services): here they are read-only,
so the admin never bypasses the ring stock or leaves an occurrence out of step."""

from django.contrib import admin

from baguage.models import (
    Capture,
    EuringSpecies,
    NetPosition,
    Ringer,
    RingingImport,
    RingingProgramme,
    RingSeries,
    Session,
    Station,
)
from baguage.permissions import (
    captures_shown_to,
    sessions_visible_to,
    stations_visible_to,
)
from baguage.selectors import ringing_imports_visible_to
from cpie_naturaliste.core.admin import ReaderScoped


@admin.register(Ringer)
class RingerAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "permit_number",
        "permit_kind",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["permit_kind"]
    search_fields = ["person__last_name", "person__first_name", "permit_number"]
    autocomplete_fields = ["person"]


@admin.register(RingSeries)
class RingSeriesAdmin(admin.ModelAdmin):
    list_display = ["__str__", "scheme", "size", "count", "received_on", "ringer"]
    list_filter = ["size", "scheme"]
    search_fields = ["prefix", "size", "comment"]
    autocomplete_fields = ["ringer"]
    date_hierarchy = "received_on"


@admin.register(EuringSpecies)
class EuringSpeciesAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "taxon",
        "crbpo_code",
        "ring_size",
        "wing_min",
        "wing_max",
        "mass_min",
        "mass_max",
        "is_remarkable",
    ]
    list_filter = ["ring_size", "is_remarkable"]
    search_fields = ["code", "crbpo_code", "taxon__scientific_name"]
    autocomplete_fields = ["taxon"]


@admin.register(RingingProgramme)
class RingingProgrammeAdmin(admin.ModelAdmin):
    list_display = ["programme", "kind"]
    list_filter = ["kind"]
    search_fields = ["programme__code", "programme__name"]
    autocomplete_fields = ["programme", "target_taxa"]


class OnVisibleStation(ReaderScoped):
    """Nets of the stations the staff member may see named (baguage.permissions)."""

    def visible(self, user):
        return NetPosition.objects.filter(station__in=stations_visible_to(user))


class NetPositionInline(OnVisibleStation, admin.TabularInline):
    model = NetPosition
    extra = 0
    fields = ["number", "length_m", "mesh_mm"]


@admin.register(Station)
class StationAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = ["name", "code", "site"]
    search_fields = ["name", "code", "site__name"]
    autocomplete_fields = ["site"]
    inlines = [NetPositionInline]

    def visible(self, user):
        return stations_visible_to(user)


@admin.register(NetPosition)
class NetPositionAdmin(OnVisibleStation, admin.ModelAdmin):
    list_display = ["station", "number", "length_m", "mesh_mm"]
    list_filter = ["station"]
    search_fields = ["station__name"]
    autocomplete_fields = ["station"]


@admin.register(Session)
class SessionAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = [
        "date",
        "station",
        "programme",
        "dataset",
        "start_time",
        "end_time",
        "nets_count",
    ]
    list_filter = ["programme", "station"]
    search_fields = ["station__name", "comment"]
    autocomplete_fields = ["station", "programme", "dataset", "ringers"]
    date_hierarchy = "date"
    readonly_fields = ["created_by", "updated_by", "created_at", "updated_at"]

    def visible(self, user):
        # The read rule of the pages: sessions of readable datasets at places the user
        # may see (baguage.permissions).
        return sessions_visible_to(user)


@admin.register(Capture)
class CaptureAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = [
        "ring_number",
        "ring_scheme",
        "action",
        "taxon",
        "age",
        "sex",
        "session",
    ]
    list_filter = ["action", "ring_scheme", "session__programme"]
    search_fields = ["ring_number", "taxon__scientific_name"]
    list_select_related = ["taxon", "session__station", "session__programme"]
    date_hierarchy = "session__date"

    def visible(self, user):
        # Only the captures whose occurrence the user may place (baguage.permissions).
        return captures_shown_to(user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RingingImport)
class RingingImportAdmin(ReaderScoped, admin.ModelAdmin):
    """The log of CRBPO imports, read only (an import runs from its page); staff read
    those the page shows them."""

    list_display = [
        "filename",
        "dataset",
        "status",
        "dry_run",
        "captures_created",
        "errors_total",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "dry_run"]
    list_select_related = ["dataset", "created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in RingingImport._meta.fields]

    def visible(self, user):
        return ringing_imports_visible_to(user)

    def has_add_permission(self, request):
        return False

"""Admin of the report jobs and of the coordinators' decisions on remarkable finds."""

from django.contrib import admin

from cpie_naturaliste.core.admin import ReaderScoped, in_organisation
from indicateurs.models import AnnualReport, RemarkableFind
from observations.policy import placeable_records


@admin.register(AnnualReport)
class AnnualReportAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = ("year", "status", "progress", "requested_by", "created_at")
    list_filter = ("status", "year")
    readonly_fields = [f.name for f in AnnualReport._meta.fields]

    def visible(self, user):
        return in_organisation(AnnualReport, user, "requested_by__organisation")


@admin.register(RemarkableFind)
class RemarkableFindAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = (
        "occurrence",
        "kind",
        "year",
        "organisation",
        "status",
        "in_report",
        "decided_by",
    )
    list_filter = ("kind", "status", "in_report", "year")
    raw_id_fields = ("occurrence",)

    def visible(self, user):
        # A find names its species, date and place: only where the record is placed.
        return placeable_records(RemarkableFind.objects.all(), user)

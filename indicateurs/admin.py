from django.contrib import admin

from indicateurs.models import AnnualReport, RemarkableFind


@admin.register(AnnualReport)
class AnnualReportAdmin(admin.ModelAdmin):
    list_display = ("year", "status", "progress", "requested_by", "created_at")
    list_filter = ("status", "year")
    readonly_fields = [f.name for f in AnnualReport._meta.fields]


@admin.register(RemarkableFind)
class RemarkableFindAdmin(admin.ModelAdmin):
    list_display = ("occurrence", "kind", "status", "in_report", "decided_by")
    list_filter = ("kind", "status", "in_report")
    raw_id_fields = ("occurrence",)

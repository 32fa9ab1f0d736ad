"""Admin of count programmes and their sites (imported by observations/admin.py). Visits
and counts are entered through the grid or the import, which publish the occurrences."""

from django.contrib import admin

from observations.models import CountProgramme, CountSite


class CountSiteInline(admin.TabularInline):
    model = CountSite
    extra = 0
    autocomplete_fields = ["site"]
    fields = ["site", "code", "habitat", "underground", "active"]


@admin.register(CountProgramme)
class CountProgrammeAdmin(admin.ModelAdmin):
    list_display = ["programme", "kind", "dataset"]
    list_filter = ["kind"]
    autocomplete_fields = ["programme", "dataset", "taxa"]
    inlines = [CountSiteInline]

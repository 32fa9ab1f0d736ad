"""Admin of count programmes and their sites (imported by observations/admin.py). Visits
and counts are entered through the grid or the import, which publish the occurrences."""

from django.contrib import admin
from django.db.models import Q

from cpie_naturaliste.core.admin import ReaderScoped
from observations.models import CountProgramme, CountSite
from referentiel.models import Site


class CountSiteInline(ReaderScoped, admin.TabularInline):
    model = CountSite
    extra = 0
    autocomplete_fields = ["site"]
    fields = ["site", "code", "habitat", "underground", "active"]

    def visible(self, user):
        # As the programme's pages (counts.selectors.shown_sites): the sites listed for
        # the staff member, every one of their organisation's own programmes.
        return CountSite.objects.filter(
            Q(site__in=Site.objects.visible_to(user))
            | Q(programme__dataset__producer_id=user.organisation_id)
        )


@admin.register(CountProgramme)
class CountProgrammeAdmin(admin.ModelAdmin):
    list_display = ["programme", "kind", "dataset"]
    list_filter = ["kind"]
    autocomplete_fields = ["programme", "dataset", "taxa"]
    inlines = [CountSiteInline]

"""Admin of the terril registry, the evaluation method and the campaigns (entered on the
pages, which publish their records and recompute the scores)."""

from django.contrib import admin

from cpie_naturaliste.core.admin import ReaderScoped, in_organisation
from terrils.models import (
    Campaign,
    HabitatObservation,
    MethodGroup,
    MethodVersion,
    PatrimonialHabitat,
    PatrimonialSpecies,
    Score,
    Terril,
    Visit,
)


@admin.register(Terril)
class TerrilAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "manager", "surface_ha"]
    search_fields = ["number", "name"]
    autocomplete_fields = ["communes"]


class MethodGroupInline(admin.TabularInline):
    model = MethodGroup
    extra = 0


@admin.register(MethodVersion)
class MethodVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "date", "is_current", "combine"]
    inlines = [MethodGroupInline]


@admin.register(PatrimonialSpecies)
class PatrimonialSpeciesAdmin(admin.ModelAdmin):
    list_display = ["taxon", "group", "rarity", "threat", "is_protected"]
    list_filter = ["group__version", "group__code", "rarity"]
    raw_id_fields = ["taxon"]


@admin.register(PatrimonialHabitat)
class PatrimonialHabitatAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "rarity"]


class OfOwnCampaign(ReaderScoped):
    """Campaigns hold notes, observers and the days of each group's visit (which date the
    records): staff read their own organisation's campaigns."""

    def visible(self, user):
        path = (
            "dataset__producer"
            if self.model is Campaign
            else "campaign__dataset__producer"
        )
        return in_organisation(self.model, user, path)


class VisitInline(OfOwnCampaign, admin.TabularInline):
    model = Visit
    extra = 0


class HabitatInline(OfOwnCampaign, admin.TabularInline):
    model = HabitatObservation
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(OfOwnCampaign, admin.ModelAdmin):
    list_display = ["terril", "year", "kind"]
    list_filter = ["kind", "year"]
    inlines = [VisitInline, HabitatInline]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["campaign", "version", "total", "computed_at"]
    list_filter = ["version"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

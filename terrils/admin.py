from django.contrib import admin

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


class VisitInline(admin.TabularInline):
    model = Visit
    extra = 0


class HabitatInline(admin.TabularInline):
    model = HabitatObservation
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
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

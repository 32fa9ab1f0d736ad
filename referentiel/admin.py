from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from leaflet.admin import LeafletGeoAdmin
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from cpie_naturaliste.core.admin import ReaderScoped, in_organisation
from cpie_naturaliste.core.text import normalize_search
from referentiel.models import (
    AtlasGroup,
    AtlasGroupRule,
    Commune,
    Dataset,
    Departement,
    Nomenclature,
    NomenclatureType,
    Organisation,
    Person,
    Programme,
    SensitivityRule,
    Site,
    Taxon,
    TaxonStatus,
    User,
)
from referentiel.services.territories import site_refresh_communes
from referentiel.signals import sensitivity_rules_changed
from referentiel.tasks import refresh_atlas_groups


@admin.register(User)
class CpieUserAdmin(ReaderScoped, UserAdmin):
    list_display = [
        "username",
        "last_name",
        "first_name",
        "organisation",
        "is_regional",
        "is_staff",
    ]
    list_filter = ["groups", "organisation", "is_regional", "is_staff", "is_active"]
    list_select_related = ["organisation"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            _("Réseau CPIE"),
            {"fields": ["organisation", "is_regional", "validation_groups"]},
        ),
    ]
    filter_horizontal = [*UserAdmin.filter_horizontal, "validation_groups"]

    def visible(self, user):
        return in_organisation(User, user)


# An API token is a password: staff see their own, superusers every account's.
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ScopedTokenAdmin(ReaderScoped, TokenAdmin):
    def visible(self, user):
        return TokenProxy.objects.filter(user=user)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "short_name", "kind", "is_network_member"]
    list_filter = ["kind", "is_network_member"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["territory_communes"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "default_dataset":
            # The organisation's own datasets (Organisation.clean checks it too).
            organisation_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Dataset.objects.filter(
                producer_id=organisation_id
            ).order_by("title")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Person)
class PersonAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "organisation", "email", "user"]
    list_filter = ["organisation"]
    list_select_related = ["organisation", "user"]
    search_fields = ["last_name", "first_name", "email"]
    autocomplete_fields = ["organisation", "user"]

    def visible(self, user):
        # Names and e-mail addresses: the staff member's own structure's people.
        return in_organisation(Person, user)


class AtlasGroupRuleInline(admin.TabularInline):
    model = AtlasGroupRule
    extra = 1


@admin.register(AtlasGroup)
class AtlasGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kingdom", "position"]
    list_editable = ["position"]
    inlines = [AtlasGroupRuleInline]
    actions = ["refresh_taxa"]

    @admin.action(description=_("Recalculer le groupe d'atlas de tous les taxons"))
    def refresh_taxa(self, request, queryset):
        # A full TAXREF takes a while: run it in the worker, after this request's commit.
        transaction.on_commit(refresh_atlas_groups.delay)
        self.message_user(
            request,
            _("Reclassement des taxons lancé en tâche de fond."),
            messages.SUCCESS,
        )


class TaxonStatusInline(admin.StackedInline):
    model = TaxonStatus
    can_delete = True


@admin.register(Taxon)
class TaxonAdmin(admin.ModelAdmin):
    list_display = [
        "cd_nom",
        "scientific_name",
        "vernacular_name",
        "rank",
        "cd_ref",
        "atlas_group",
    ]
    list_filter = ["atlas_group", "rank", "is_valid", "kingdom"]
    list_select_related = ["atlas_group"]
    search_fields = ["=cd_nom", "search_text"]
    search_help_text = _("Code cd_nom, nom latin ou français (sans accent requis).")
    show_full_result_count = False  # COUNT(*) on a full TAXREF is wasted work per page
    inlines = [TaxonStatusInline]
    readonly_fields = ["search_text"]

    def get_search_results(self, request, queryset, search_term):
        # search_text is stored unaccented and lower-case: normalise the term the same way.
        return super().get_search_results(
            request, queryset, normalize_search(search_term)
        )


@admin.register(TaxonStatus)
class TaxonStatusAdmin(admin.ModelAdmin):
    list_display = [
        "taxon",
        "rarity",
        "red_list",
        "is_protected",
        "is_patrimonial",
        "is_invasive",
        "sensitivity_level",
    ]
    list_filter = [
        "rarity",
        "red_list",
        "is_protected",
        "is_patrimonial",
        "is_invasive",
        "sensitivity_level",
    ]
    list_select_related = ["taxon"]
    search_fields = ["=taxon__cd_nom", "taxon__search_text"]
    raw_id_fields = ["taxon"]


@admin.register(SensitivityRule)
class SensitivityRuleAdmin(admin.ModelAdmin):
    list_display = [
        "taxon",
        "departement",
        "start_day",
        "start_month",
        "end_day",
        "end_month",
        "bio_statuses",
        "behaviours",
        "duration_years",
        "level",
        "is_active",
    ]
    list_filter = ["level", "is_active", "departement", "source"]
    list_select_related = ["taxon", "departement"]
    search_fields = ["=taxon__cd_nom", "taxon__search_text", "source", "comment"]
    raw_id_fields = ["taxon"]
    readonly_fields = ["taxon_refs"]

    def _rules_changed(self, request):
        transaction.on_commit(
            lambda: sensitivity_rules_changed.send(sender=SensitivityRule)
        )
        self.message_user(
            request,
            _(
                "Le niveau de sensibilité des observations est recalculé en tâche de "
                "fond (quelques secondes à une minute)."
            ),
            messages.INFO,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._rules_changed(request)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self._rules_changed(request)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self._rules_changed(request)


@admin.register(Departement)
class DepartementAdmin(LeafletGeoAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Commune)
class CommuneAdmin(LeafletGeoAdmin):
    list_display = ["insee", "name", "departement"]
    list_filter = ["departement"]
    search_fields = ["insee", "name"]


@admin.register(Site)
class SiteAdmin(ReaderScoped, LeafletGeoAdmin):
    list_display = ["name", "code", "kind", "manager", "is_public"]
    list_filter = ["kind", "is_public", "manager"]
    list_select_related = ["manager"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["manager", "parent"]
    readonly_fields = ["commune_list"]

    @admin.display(description=_("communes"))
    def commune_list(self, obj):
        return ", ".join(str(c) for c in obj.communes.all()) if obj.pk else "—"

    def visible(self, user):
        # A protected site is listed only for those who manage it or hold records there.
        return Site.objects.visible_to(user)

    def may_change(self, user, obj):
        return obj.manager_id is not None and obj.manager_id == user.organisation_id

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        site_refresh_communes(site=obj)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "level",
        "report_line",
        "coordinator",
        "start_year",
        "end_year",
    ]
    list_filter = ["level", "report_line", "taxon_groups"]
    list_select_related = ["coordinator"]
    search_fields = ["code", "name"]
    filter_horizontal = ["taxon_groups", "partners"]
    autocomplete_fields = ["coordinator"]


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["title", "uuid", "producer", "programme", "is_public", "licence"]
    list_filter = ["is_public", "licence", "producer"]
    list_select_related = ["producer", "programme"]
    search_fields = ["title", "short_title", "uuid"]
    readonly_fields = ["uuid"]
    autocomplete_fields = ["producer", "programme"]


class NomenclatureInline(admin.TabularInline):
    model = Nomenclature
    extra = 0


@admin.register(NomenclatureType)
class NomenclatureTypeAdmin(admin.ModelAdmin):
    list_display = ["mnemonic", "label"]
    search_fields = ["mnemonic", "label"]
    inlines = [NomenclatureInline]

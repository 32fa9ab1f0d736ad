"""Admin of the sensibilisation app: campaigns and their species are set up here."""

from django.contrib import admin

from cpie_naturaliste.core.admin import ReaderScoped, in_organisation
from sensibilisation.models import (
    Action,
    ActionDocument,
    ActionParticipant,
    Campaign,
    CampaignSpecies,
    Report,
    TrainingSession,
    Volunteer,
)
from sensibilisation.permissions import reports_placeable


class CampaignSpeciesInline(admin.TabularInline):
    model = CampaignSpecies
    autocomplete_fields = ["taxon"]
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "date_start", "date_end", "is_open"]
    list_filter = ["is_open"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CampaignSpeciesInline]


@admin.register(Report)
class ReportAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = [
        "species",
        "campaign",
        "observed_on",
        "count",
        "status",
        "created_at",
    ]
    list_filter = ["campaign", "status"]
    # Personal data and the exact place stay out of the list; the form is read-only:
    # a report changes only through the public form and its confirmation.
    readonly_fields = [
        "uuid",
        "campaign",
        "species",
        "observed_on",
        "geom",
        "precision_m",
        "address",
        "count",
        "comment",
        "photo",
        "email",
        "status",
        "confirmed_at",
        "occurrence",
        "client_hash",
    ]

    def has_add_permission(self, request):
        return False

    def visible(self, user):
        """The form shows the reporter's e-mail, address, comment, photo and point: only
        to the structure organising the campaign, and only for reports whose occurrence
        the user may place (observations.policy)."""
        return reports_placeable(
            in_organisation(Report, user, "campaign__organisation"), user
        )


class TrainingSessionInline(admin.TabularInline):
    model = TrainingSession
    extra = 0


class OfOwnAction(ReaderScoped):
    """Who took part and the documents: the organising structure's staff only."""

    def visible(self, user):
        return in_organisation(self.model, user, "action__organisation")


class ActionParticipantInline(OfOwnAction, admin.TabularInline):
    model = ActionParticipant
    autocomplete_fields = ["person"]
    extra = 0


class ActionDocumentInline(OfOwnAction, admin.TabularInline):
    model = ActionDocument
    extra = 0
    readonly_fields = ["uploaded_by", "uploaded_at"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "date_start", "action_line", "participants_count"]
    list_filter = ["kind", "action_line", "format"]
    search_fields = ["title", "theme"]
    date_hierarchy = "date_start"
    autocomplete_fields = ["site", "commune", "partners"]
    inlines = [TrainingSessionInline, ActionParticipantInline, ActionDocumentInline]


@admin.register(Volunteer)
class VolunteerAdmin(ReaderScoped, admin.ModelAdmin):
    list_display = ["person", "status", "organisation", "consent_date"]
    list_filter = ["status", "organisation"]
    autocomplete_fields = ["person"]
    search_fields = ["person__last_name", "person__first_name"]

    def visible(self, user):
        return in_organisation(Volunteer, user)

"""Serializers of the sensibilisation API (explicit fields: no mass assignment)."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from rest_framework import serializers

from referentiel.models import Organisation, Site
from sensibilisation.models import Action, Campaign, CampaignSpecies
from sensibilisation.models.actions import Audience
from sensibilisation.permissions import sites_shown_to


class CampaignSpeciesSerializer(serializers.ModelSerializer):
    cd_nom = serializers.IntegerField(source="taxon_id", read_only=True)
    scientific_name = serializers.CharField(
        source="taxon.scientific_name", read_only=True
    )

    class Meta:
        model = CampaignSpecies
        fields = ["cd_nom", "common_name", "scientific_name", "hint"]


class CampaignSerializer(serializers.ModelSerializer):
    programme = serializers.CharField(source="programme.code", read_only=True)
    species = CampaignSpeciesSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    map_url = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "slug",
            "title",
            "summary",
            "programme",
            "date_start",
            "date_end",
            "species",
            "url",
            "map_url",
        ]

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("sensibilisation:campaign_detail", args=[obj.slug])
        )

    def get_map_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("sensibilisation:campaign_map", args=[obj.slug])
        )


class ActionSerializer(serializers.ModelSerializer):
    organisation = serializers.PrimaryKeyRelatedField(read_only=True)
    partners = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.all(), required=False
    )
    audiences = serializers.ListField(
        child=serializers.ChoiceField(choices=Audience.choices), required=False
    )
    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.all(), required=False, allow_null=True
    )
    reached = serializers.IntegerField(read_only=True)
    named = serializers.IntegerField(read_only=True)

    def _user(self):
        request = self.context.get("request")
        return request.user if request is not None else AnonymousUser()

    def get_fields(self):
        """A site is chosen among those the user may be shown (sensibilisation.permissions
        .sites_shown_to): another structure's private place is not named through an
        action."""
        fields = super().get_fields()
        fields["site"].queryset = sites_shown_to(self._user())
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        site_id = data.get("site")
        if site_id:
            shown = self.context.setdefault("shown_sites", {})
            if site_id not in shown:
                shown[site_id] = (
                    sites_shown_to(self._user()).filter(pk=site_id).exists()
                )
            if not shown[site_id]:
                data["site"] = None
        return data

    class Meta:
        model = Action
        fields = [
            "id",
            "organisation",
            "kind",
            "title",
            "date_start",
            "date_end",
            "site",
            "commune",
            "theme",
            "audiences",
            "partners",
            "action_line",
            "format",
            "participants_count",
            "duration_hours",
            "description",
            "named",
            "reached",
        ]

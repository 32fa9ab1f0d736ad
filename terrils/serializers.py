"""Serializers of the terrils API: the registry as GeoJSON (WGS84), scores, ranking."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from cpie_naturaliste.core.serializers import Wgs84GeometryField
from referentiel.serializers import (
    CommuneSummarySerializer,
    OrganisationSummarySerializer,
)
from terrils.models import GroupScore, Score, ScoreLine, Terril
from terrils.selectors import lines_masked, sensitive_taxa_hidden


class TerrilSerializer(GeoFeatureModelSerializer):
    """A terril as a GeoJSON Feature; ``score`` and ``score_class`` are those of the
    requested year and method version, when the view annotates them."""

    geom = Wgs84GeometryField(precision=6)
    communes = CommuneSummarySerializer(many=True, read_only=True)
    owner = OrganisationSummarySerializer(read_only=True, allow_null=True)
    manager = OrganisationSummarySerializer(read_only=True, allow_null=True)
    shape_label = serializers.CharField(source="get_shape_display", read_only=True)
    protection_labels = serializers.ListField(
        child=serializers.CharField(), read_only=True
    )
    score = serializers.SerializerMethodField()
    score_class = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Terril
        geo_field = "geom"
        fields = [
            "id",
            "number",
            "name",
            "communes",
            "shape",
            "shape_label",
            "surface_ha",
            "height_m",
            "owner",
            "manager",
            "protections",
            "protection_labels",
            "public_access",
            "activities",
            "site",
            "score",
            "score_class",
            "url",
        ]

    def get_score(self, terril) -> float | None:
        score = getattr(terril, "score_total", None)
        return None if score is None else float(score)

    def get_score_class(self, terril) -> str:
        version = self.context.get("version")
        score = getattr(terril, "score_total", None)
        return "" if version is None or score is None else version.score_class(score)

    def get_url(self, terril) -> str:
        return reverse("terrils:terril_detail", args=[terril.number])


class GroupScoreSerializer(serializers.ModelSerializer):
    group_label = serializers.CharField(source="get_group_display", read_only=True)

    class Meta:
        model = GroupScore
        fields = ["group", "group_label", "raw", "weight", "weighted"]


class ScoreLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreLine
        fields = [
            "group",
            "taxon",
            "habitat_code",
            "label",
            "rarity",
            "threat",
            "rarity_points",
            "threat_points",
            "bonus",
            "points",
        ]


class ScoreSerializer(serializers.ModelSerializer):
    def to_representation(self, instance):
        """Sensitive taxa the reader does not read precisely keep their points, not
        their name (terrils.selectors.sensitive_taxa_hidden)."""
        request = self.context.get("request")
        if request is not None:
            hidden = sensitive_taxa_hidden(
                terril=instance.campaign.terril, user=request.user
            )
            lines = lines_masked(list(instance.lines.select_related("taxon")), hidden)
            instance._prefetched_objects_cache = {
                **getattr(instance, "_prefetched_objects_cache", {}),
                "lines": lines,
            }
        return super().to_representation(instance)

    terril = serializers.CharField(source="campaign.terril.number", read_only=True)
    year = serializers.IntegerField(source="campaign.year", read_only=True)
    kind = serializers.CharField(source="campaign.kind", read_only=True)
    version = serializers.CharField(source="version.code", read_only=True)
    score_class = serializers.CharField(read_only=True)
    groups = GroupScoreSerializer(source="group_scores", many=True, read_only=True)
    lines = ScoreLineSerializer(many=True, read_only=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "terril",
            "year",
            "kind",
            "version",
            "total",
            "score_class",
            "species_count",
            "computed_at",
            "groups",
            "lines",
        ]


class RankingRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    terril = serializers.CharField(source="terril.number")
    name = serializers.CharField(source="terril.name")
    total = serializers.DecimalField(
        source="score.total", max_digits=9, decimal_places=2
    )
    score_class = serializers.CharField()
    state_zero = serializers.DecimalField(
        source="state_zero.total",
        max_digits=9,
        decimal_places=2,
        allow_null=True,
        default=None,
    )
    change = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)


@extend_schema_serializer(many=False)  # one object, even from a ``list`` action
class RankingSerializer(serializers.Serializer):
    """The ranking of one year, as ``/api/v1/terrils/classement/`` sends it."""

    year = serializers.IntegerField(allow_null=True)
    version = serializers.CharField()
    results = RankingRowSerializer(many=True)

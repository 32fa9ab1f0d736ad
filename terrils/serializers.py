"""Serializers of the terrils API: the registry as GeoJSON (WGS84), scores, ranking."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from cpie_naturaliste.core.serializers import Wgs84GeometryField
from referentiel.serializers import (
    CommuneSummarySerializer,
    OrganisationSummarySerializer,
)
from terrils.models import Score, Terril
from terrils.selectors import ScoreReading, ScoreView


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


class GroupScoreSerializer(serializers.Serializer):
    """A group's sub-score as the reader sees it (terrils.selectors.GroupView): the named
    lines only."""

    group = serializers.CharField()
    group_label = serializers.CharField(source="label")
    raw = serializers.DecimalField(max_digits=9, decimal_places=2)
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    weighted = serializers.DecimalField(max_digits=9, decimal_places=2)


class ScoreLineSerializer(serializers.Serializer):
    """A line of the breakdown. The last line may be the one standing for every species
    the reader may not see named (``hidden``: no group, taxon, class or threat, only its
    points)."""

    group = serializers.CharField(allow_blank=True)
    taxon = serializers.IntegerField(source="taxon_id", allow_null=True)
    habitat_code = serializers.CharField(allow_blank=True)
    label = serializers.CharField()
    rarity = serializers.CharField(allow_blank=True)
    threat = serializers.CharField(allow_blank=True)
    rarity_points = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True
    )
    threat_points = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True
    )
    bonus = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    points = serializers.DecimalField(max_digits=9, decimal_places=2)
    hidden = serializers.BooleanField(default=False)


def _hidden_line(view: ScoreView) -> dict:
    return {
        "group": "",
        "taxon_id": None,
        "habitat_code": "",
        "label": view.hidden_label,
        "rarity": "",
        "threat": "",
        "rarity_points": None,
        "threat_points": None,
        "bonus": None,
        "points": view.hidden_points,
        "hidden": True,
    }


class ScoreSerializer(serializers.ModelSerializer):
    """A stored score as the requesting reader may see it (terrils.selectors.ScoreReading):
    the same total for everyone; the species the reader may not see named are one last
    line "Données sensibles : N points", and the groups count the named lines only."""

    terril = serializers.CharField(source="campaign.terril.number", read_only=True)
    year = serializers.IntegerField(source="campaign.year", read_only=True)
    kind = serializers.CharField(source="campaign.kind", read_only=True)
    version = serializers.CharField(source="version.code", read_only=True)
    score_class = serializers.CharField(read_only=True)
    groups = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField()

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

    def _view(self, score: Score) -> ScoreView:
        if getattr(score, "_reader_view", None) is None:
            request = self.context.get("request")
            reading = self.context.get("score_reading")
            if reading is None:
                user = request.user if request is not None else AnonymousUser()
                reading = self.context["score_reading"] = ScoreReading(user)
            score._reader_view = reading.view(score)
        return score._reader_view

    @extend_schema_field(GroupScoreSerializer(many=True))
    def get_groups(self, score: Score) -> list:
        return GroupScoreSerializer(self._view(score).groups, many=True).data

    @extend_schema_field(ScoreLineSerializer(many=True))
    def get_lines(self, score: Score) -> list:
        view = self._view(score)
        lines = list(view.lines)
        if view.hidden_label:
            lines.append(_hidden_line(view))
        return ScoreLineSerializer(lines, many=True).data


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

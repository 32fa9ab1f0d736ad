"""Terrils API under ``/api/v1/terrils/``: the registry (GeoJSON in WGS84, ``?year=`` and
``?version=`` add each terril's score and class), ``scores/`` with their breakdown and
``classement/`` (ranking of a year)."""

from django.db.models import OuterRef, Prefetch, Subquery
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from cpie_naturaliste.core.filters import Wgs84InBBoxFilter
from cpie_naturaliste.core.pagination import GeoJsonPagination
from terrils.models import Campaign, Score, ScoreLine, Terril
from terrils.selectors import ranking, ranking_years
from terrils.serializers import (
    RankingRowSerializer,
    RankingSerializer,
    ScoreSerializer,
    TerrilSerializer,
)
from terrils.services import version_resolve

YEAR = OpenApiParameter("year", OpenApiTypes.INT, description="Année de campagne")
VERSION = OpenApiParameter(
    "version", OpenApiTypes.STR, description="Code de la version de la méthode"
)


def _version(request):
    version = version_resolve(request.query_params.get("version"))
    if version is None:
        raise NotFound("Version de méthode inconnue.")
    return version


def _year(request) -> int | None:
    value = request.query_params.get("year", "")
    return int(value) if value.isdigit() else None


class TerrilPagination(GeoJsonPagination):
    page_size = 100
    max_page_size = 500


@extend_schema(parameters=[YEAR, VERSION])
class TerrilViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TerrilSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = TerrilPagination
    filter_backends = [Wgs84InBBoxFilter]
    bbox_filter_field = "geom"
    bbox_filter_include_overlapping = True
    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        queryset = Terril.objects.select_related("owner", "manager").prefetch_related(
            "communes"
        )
        year = _year(self.request)
        if year is not None:
            scores = Score.objects.filter(
                campaign__terril=OuterRef("pk"),
                campaign__year=year,
                campaign__kind=Campaign.Kind.EVALUATION,
                version=_version(self.request),
            )
            queryset = queryset.annotate(
                score_total=Subquery(scores.values("total")[:1])
            )
        return queryset.order_by("number")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if _year(self.request) is not None:
            context["version"] = _version(self.request)
        return context


@extend_schema(parameters=[YEAR, VERSION])
class ScoreViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored scores with their breakdown as the reader may see it (the species they may
    not see named are one "Données sensibles" line); filters ``year``, ``version``,
    ``terril``."""

    serializer_class = ScoreSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        queryset = Score.objects.select_related(
            "campaign__terril", "version"
        ).prefetch_related(
            Prefetch("lines", queryset=ScoreLine.objects.select_related("taxon")),
            "group_scores",
        )
        params = self.request.query_params
        if (year := _year(self.request)) is not None:
            queryset = queryset.filter(campaign__year=year)
        if params.get("version"):
            queryset = queryset.filter(version__code=params["version"])
        if params.get("terril"):
            queryset = queryset.filter(campaign__terril__number=params["terril"])
        return queryset.order_by(
            "campaign__terril__number", "campaign__year", "version"
        )


class RankingViewSet(viewsets.ViewSet):
    """The ranking of the terrils evaluated in ``year`` (default: the latest year)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[YEAR, VERSION], responses=RankingSerializer)
    def list(self, request):
        version = _version(request)
        years = ranking_years()
        year = _year(request) or (years[0] if years else None)
        rows = ranking(year=year, version=version) if year else []
        return Response(
            {
                "year": year,
                "version": version.code,
                "results": RankingRowSerializer(rows, many=True).data,
            }
        )


def register(router) -> None:
    # Before ``terrils/``: its detail route would read "scores" as a terril number.
    router.register("terrils/scores", ScoreViewSet, basename="terril-score")
    router.register("terrils/classement", RankingViewSet, basename="terril-ranking")
    router.register("terrils", TerrilViewSet, basename="terril")

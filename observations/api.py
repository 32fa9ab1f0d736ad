"""Occurrence API: ``/api/v1/occurrences/`` (JSON, paginated) and ``…/geojson/`` (map layer)."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from observations.atlas_api import AtlasViewSet
from observations.filters import OccurrenceBBoxFilter, OccurrenceFilter
from observations.models import Occurrence
from observations.selectors import (
    GRID_CODE_CELL_M,
    MAP_POINT_LIMIT,
    occurrences_count_upto,
    occurrences_geojson,
    occurrences_grid_cells,
)
from observations.serializers import OccurrenceGeoSerializer, OccurrenceSerializer
from observations.services import occurrence_delete
from referentiel.permissions import can_enter, role_permission, signed_in


def _may_change(user, occurrence: Occurrence) -> bool:
    return Occurrence.objects.editable_by(user).filter(pk=occurrence.pk).exists()


# Read what ``visible_to`` allows (the list is scoped by ``get_queryset``); write with a
# writing role, change only what ``editable_by`` allows.
OccurrencePermission = role_permission(
    read=signed_in,
    write=can_enter,
    may_change=_may_change,
    message=_("Vous n'avez pas le droit de modifier cette observation."),
)


BBOX_PARAM = OpenApiParameter(
    "in_bbox",
    OpenApiTypes.STR,
    description=_("Emprise en WGS84 : minlon,minlat,maxlon,maxlat"),
)


class OccurrenceViewSet(viewsets.ModelViewSet):
    serializer_class = OccurrenceSerializer
    filterset_class = OccurrenceFilter
    filter_backends = [DjangoFilterBackend, OccurrenceBBoxFilter]
    permission_classes = [OccurrencePermission]
    bbox_filter_field = "geom"
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        return (
            Occurrence.objects.visible_to(self.request.user)
            .select_related("taxon", "dataset", "programme", "validator", "atlas_group")
            .prefetch_related("observers")
        )

    def perform_destroy(self, instance):
        occurrence_delete(occurrence=instance, user=self.request.user)

    @extend_schema(
        parameters=[BBOX_PARAM],
        responses={200: OccurrenceGeoSerializer(many=True)},
        description=_(
            "Couche cartographique GeoJSON en WGS84, mêmes filtres que la liste. Jusqu'à "
            "5 000 observations : un point (ou une géométrie) par observation. Au-delà : des "
            "mailles agrégées (propriété « count »), et « aggregated » vaut true ; une "
            "maille de 10 km compte toutes ses observations dès qu'elle touche l'emprise."
        ),
    )
    @action(detail=False, url_path="geojson", pagination_class=None)
    def geojson(self, request):
        # The attribute filters, then the view's box: the cells of a large view are
        # counted from the grid code alone (occurrences_grid_cells, ``within``).
        filtered = DjangoFilterBackend().filter_queryset(
            request, self.get_queryset(), self
        )
        box = OccurrenceBBoxFilter()
        queryset = box.filter_queryset(request, filtered, self).order_by()
        if occurrences_count_upto(queryset, MAP_POINT_LIMIT) <= MAP_POINT_LIMIT:
            # The FeatureCollection is written by PostgreSQL: serialising 5,000 features
            # through DRF and GEOS costs ~10× more than the query itself.
            return HttpResponse(
                occurrences_geojson(queryset=queryset), content_type="application/json"
            )
        cell_m = _cell_size(request.query_params.get("in_bbox"))
        if cell_m >= GRID_CODE_CELL_M:
            features = occurrences_grid_cells(
                queryset=filtered.order_by(),
                cell_m=cell_m,
                within=box.get_filter_bbox(request),
            )
        else:
            features = occurrences_grid_cells(queryset=queryset, cell_m=cell_m)
        return Response(
            {
                "type": "FeatureCollection",
                "aggregated": True,
                "cell_size_m": cell_m,
                "features": features,
            }
        )


def _cell_size(bbox: str | None) -> int:
    """About 40 cells across the view, rounded to 1, 2 or 5 × 10ⁿ metres; 10 km without a bbox."""
    try:
        minlon, _minlat, maxlon, _maxlat = (float(v) for v in (bbox or "").split(","))
    except ValueError:
        return 10000
    width_m = (
        max(maxlon - minlon, 0.0001) * 71000
    )  # metres per degree of longitude at 50° N
    raw = width_m / 40
    for size in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if raw <= size:
            return size
    return 50000


def register(router) -> None:
    router.register("occurrences", OccurrenceViewSet, basename="occurrence")
    router.register("atlas", AtlasViewSet, basename="atlas")

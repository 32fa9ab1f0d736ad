"""Reads built for screens: map layers (points or aggregated cells) and atlas tables."""

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from cpie_naturaliste.core.geo import to_api_transform
from observations.blurring import display_geom, is_blurred_queryset, precise_condition
from observations.models import Occurrence

MAP_POINT_LIMIT = 5000


class GridCode(Func):
    """INPN code of the 10 km cell holding the point on surface of a Lambert-93 geometry."""

    template = (
        "'10kmL93E' || lpad(floor(ST_X(ST_PointOnSurface(%(expressions)s)) / 10000)"
        "::int::text, 3, '0') || 'N' || lpad(floor(ST_Y(ST_PointOnSurface("
        "%(expressions)s)) / 10000)::int::text, 3, '0')"
    )
    output_field = CharField()


def occurrences_grid_cells(*, queryset, cell_m: int) -> list[dict]:
    """Counts of ``queryset`` per square cell of ``cell_m`` metres (Lambert-93), as cells in WGS84.

    10 km cells and larger reuse the stored INPN grid code (an index scan, no geometry work).
    A blurred record counts in the cell of its blurred area's point on surface (its own cell
    when blurred to a 10 km cell), never in the cell of its precise location."""
    if cell_m >= 10000:
        cell = F("grid_10km")
        if is_blurred_queryset(queryset):
            cell = Case(
                When(
                    precise_condition(queryset) | Q(sensitivity_level=2),
                    then=F("grid_10km"),
                ),
                default=Coalesce(GridCode("blurred_geom"), Value("")),
                output_field=CharField(),
            )
        grouped = (
            queryset.order_by()
            .annotate(cell=cell)
            .exclude(cell="")
            .values("cell")
            .annotate(n=Count("id"))
            .values_list("cell", "n")
        )
        return [_cell_from_code(code, n) for code, n in grouped]
    sql, params = (
        queryset.order_by().values(shown=display_geom(queryset)).query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT floor(ST_X(p) / %s)::int AS i, floor(ST_Y(p) / %s)::int AS j, count(*)
                FROM (SELECT ST_PointOnSurface(sub.shown) AS p FROM ({sql}) sub) pts
                GROUP BY 1, 2""",
            [cell_m, cell_m, *params],
        )
        rows = cursor.fetchall()
    return [_cell(i * cell_m, j * cell_m, cell_m, n) for i, j, n in rows]


def _cell(x: float, y: float, size: float, count: int) -> dict:
    polygon = Polygon.from_bbox((x, y, x + size, y + size))
    polygon.srid = settings.SRID
    polygon.transform(to_api_transform())
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[list(c) for c in polygon.exterior_ring.coords]],
        },
        "properties": {"count": count},
    }


def _cell_from_code(code: str, count: int) -> dict:
    x, y = int(code[8:11]) * 10000, int(code[12:15]) * 10000
    feature = _cell(x, y, 10000, count)
    feature["properties"]["grid_10km"] = code
    return feature


def occurrences_geojson(*, queryset) -> str:
    """A GeoJSON FeatureCollection (WGS84, 6 decimals ≈ 0.1 m) of ``queryset``, built in SQL.

    Each feature carries what the map popup needs; ``aggregated`` is false (see the API)."""
    rows = queryset.order_by().values(
        "id",
        "uuid",
        "taxon_id",
        "date_start",
        "count_max",
        "observation_status",
        "validation_status",
        "sensitivity_level",
        taxon_name=F("taxon__scientific_name"),
        vernacular_name=F("taxon__vernacular_name"),
        blurred=ExpressionWrapper(
            ~Q(precise_condition(queryset)), output_field=BooleanField()
        ),
        geom_4326=Transform(display_geom(queryset), settings.API_SRID),
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT json_build_object(
                    'type', 'FeatureCollection', 'aggregated', false,
                    'features', COALESCE(json_agg(json_build_object(
                        'type', 'Feature', 'id', t.id,
                        'geometry', ST_AsGeoJSON(t.geom_4326, 6)::json,
                        'properties', to_jsonb(t) - 'geom_4326'
                    )), '[]')
                )::text
                FROM ({sql}) t""",
            params,
        )
        return cursor.fetchone()[0]


def occurrences_count_upto(queryset, limit: int) -> int:
    """``min(count, limit + 1)`` without counting a million rows."""
    return queryset.order_by().values("id")[: limit + 1].count()


def occurrence_history(occurrence: Occurrence):
    return occurrence.changes.select_related("user")

"""Reads built for screens: map layers (points or aggregated cells) and atlas tables."""

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import Count, F

from cpie_naturaliste.core.geo import to_api_transform
from observations.models import Occurrence

MAP_POINT_LIMIT = 5000


def occurrences_grid_cells(*, queryset, cell_m: int) -> list[dict]:
    """Counts of ``queryset`` per square cell of ``cell_m`` metres (Lambert-93), as cells in WGS84.

    10 km cells and larger reuse the stored INPN grid code (an index scan, no geometry work)."""
    if cell_m >= 10000:
        grouped = (
            queryset.order_by()
            .exclude(grid_10km="")
            .values("grid_10km")
            .annotate(n=Count("id"))
            .values_list("grid_10km", "n")
        )
        return [_cell_from_code(code, n) for code, n in grouped]
    sql, params = queryset.order_by().values("geom").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT floor(ST_X(p) / %s)::int AS i, floor(ST_Y(p) / %s)::int AS j, count(*)
                FROM (SELECT ST_PointOnSurface(sub.geom) AS p FROM ({sql}) sub) pts
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
        taxon_name=F("taxon__scientific_name"),
        vernacular_name=F("taxon__vernacular_name"),
        geom_4326=Transform("geom", settings.API_SRID),
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

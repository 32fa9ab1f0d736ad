"""Reads built for screens: map layers (points or aggregated cells) and atlas tables."""

import functools
from collections import Counter

from django.conf import settings
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Func,
    Q,
    Value,
)
from django.db.models.functions import Coalesce

from cpie_naturaliste.core.geo import to_api_transform
from cpie_naturaliste.core.sql import queryset_sql
from observations.blurring import display_geom, is_blurred_queryset, precise_condition

MAP_POINT_LIMIT = 5000
# From this cell size, map cells are the stored 10 km grid codes (no geometry read).
GRID_CODE_CELL_M = 10000


class GridCode(Func):
    """INPN code of the 10 km cell holding the point on surface of a Lambert-93 geometry."""

    template = (
        "'10kmL93E' || lpad(floor(ST_X(ST_PointOnSurface(%(expressions)s)) / 10000)"
        "::int::text, 3, '0') || 'N' || lpad(floor(ST_Y(ST_PointOnSurface("
        "%(expressions)s)) / 10000)::int::text, 3, '0')"
    )
    output_field = CharField()


def occurrences_grid_cells(
    *, queryset, cell_m: int, within: Polygon | None = None
) -> list[dict]:
    """Counts of ``queryset`` per square cell of ``cell_m`` metres (Lambert-93), as cells in WGS84.

    10 km cells and larger reuse the stored INPN grid code (an index-only scan, no geometry
    work); ``within`` (an area, any SRID) then keeps the cells that touch it, each with all
    its records, read from the codes too. A blurred record counts in the cell of its
    blurred area's point on surface (its own cell when blurred to a 10 km cell), never in
    the cell of its precise location."""
    if cell_m >= GRID_CODE_CELL_M:
        touches = _codes_within(within)
        if not is_blurred_queryset(queryset):
            return _cells_from_codes(_code_counts(queryset, F("grid_10km"), touches))
        # Two reads rather than a CASE per row: the rows shown in their own cell count
        # from the grid code alone (an index-only scan, occ_grid_cover), the few blurred
        # ones (never of level 0: occ_sensitive finds them) by their blurred area's cell.
        own_cell = precise_condition(queryset) | Q(sensitivity_level=2)
        counts = Counter(
            dict(_code_counts(queryset.filter(own_cell), F("grid_10km"), touches))
        )
        counts.update(
            dict(
                _code_counts(
                    queryset.filter(~own_cell, sensitivity_level__gt=0),
                    Coalesce(GridCode("blurred_geom"), Value("")),
                    touches,
                )
            )
        )
        return _cells_from_codes(counts.items())
    sql, params = queryset_sql(queryset.order_by().values(shown=display_geom(queryset)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT floor(ST_X(p) / %s)::int AS i, floor(ST_Y(p) / %s)::int AS j, count(*)
                FROM (SELECT ST_PointOnSurface(sub.shown) AS p FROM ({sql}) sub) pts
                GROUP BY 1, 2""",
            [cell_m, cell_m, *params],
        )
        rows = cursor.fetchall()
    return [_cell(i * cell_m, j * cell_m, cell_m, n) for i, j, n in rows]


def _codes_within(area: Polygon | None):
    """A test of 10 km grid codes (``10kmL93E067N701``): does the cell touch ``area``?
    (Applied to the counted cells, a few hundred, not to the rows.) None: no area."""
    if area is None:
        return None
    low_e, low_n, high_e, high_n = (
        int(value // 10000)
        for value in area.transform(settings.SRID, clone=True).extent
    )
    return lambda code: (
        low_e <= int(code[8:11]) <= high_e and low_n <= int(code[12:15]) <= high_n
    )


def _code_counts(queryset, cell, touches=None) -> list[tuple[str, int]]:
    """Rows of ``queryset`` per 10 km cell code (``cell``, an expression), COUNT(*), for
    the cells ``touches`` keeps: with no column to read but the code, PostgreSQL counts
    from the index alone."""
    rows = (
        queryset.order_by()
        .annotate(cell=cell)
        .exclude(cell="")
        .values("cell")
        .annotate(n=Count("*"))
        .values_list("cell", "n")
    )
    return [(code, n) for code, n in rows if touches is None or touches(code)]


def _cells_from_codes(counts) -> list[dict]:
    return [_cell_from_code(code, n) for code, n in counts]


@functools.lru_cache(maxsize=8192)
def _cell_ring(x: float, y: float, size: float) -> tuple:
    """The WGS84 ring of a Lambert-93 cell (a cell is always the same polygon: the
    region's 10 km layer reprojects its 450 cells once per process)."""
    polygon = Polygon.from_bbox((x, y, x + size, y + size))
    polygon.srid = settings.SRID
    polygon.transform(to_api_transform())
    return polygon.exterior_ring.coords


def _cell(x: float, y: float, size: float, count: int) -> dict:
    return {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[list(c) for c in _cell_ring(x, y, size)]],
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
    sql, params = queryset_sql(rows)
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

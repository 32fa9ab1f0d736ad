"""Reads built for screens: map layers (points or aggregated cells) and atlas tables."""

import functools
import math
from collections import Counter

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
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from cpie_naturaliste.core.geo import to_api_transform
from cpie_naturaliste.core.sql import queryset_sql
from observations.blurring import (
    Reader,
    display_geom,
    filter_map_box,
    is_blurred_queryset,
    map_box_parts,
    map_geom,
    precise_condition,
)
from observations.models import CellCount, FineCellCount
from referentiel.models import Dataset, Scope

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
    *, queryset, cell_m: int, within: Polygon | None = None, user=None
) -> list[dict]:
    """Counts of ``queryset`` per square cell of ``cell_m`` metres (Lambert-93), as cells in WGS84.

    10 km cells and larger reuse the stored INPN grid code (an index-only scan, no geometry
    work); ``within`` (an area, any SRID) then keeps the cells that touch it, each with all
    its records, read from the codes too; with ``user`` (a view without filters of all
    that user reads), from the summary (``summary_code_counts``). A blurred record counts
    in the cell of its
    blurred area's point on surface (its own cell when blurred to a 10 km cell), never in
    the cell of its precise location."""
    if cell_m >= GRID_CODE_CELL_M:
        touches = _codes_within(within)
        counts = summary_code_counts(user, touches) if user is not None else None
        if counts is None:
            counts = _grid_code_counts(queryset, touches)
        return _cells_from_codes(counts.items())
    rows = _map_point_cells(queryset, cell_m)
    return [_cell(i * cell_m, j * cell_m, cell_m, n) for i, j, n in rows]


def _map_point_cells(queryset, cell_m: int) -> list[tuple[int, int, int]]:
    """``(i, j, count)`` of ``queryset`` per Lambert-93 cell of ``cell_m`` metres, each
    record in the cell of its map point (``map_geom``: a blurred one at its area's point
    on surface; the precise ones are points, their own point on surface)."""
    sql, params = queryset_sql(queryset.order_by().values(p=map_geom(queryset)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT floor(ST_X(sub.p) / %s)::int, floor(ST_Y(sub.p) / %s)::int,
                       count(*)
                FROM ({sql}) sub
                GROUP BY 1, 2""",
            [cell_m, cell_m, *params],
        )
        return cursor.fetchall()


def _grid_code_counts(queryset, touches=None) -> Counter:
    """Rows of ``queryset`` per 10 km grid code, for the codes ``touches`` keeps."""
    if not is_blurred_queryset(queryset):
        return Counter(dict(_code_counts(queryset, F("grid_10km"), touches)))
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
    return counts


def summary_code_counts(user, touches=None) -> Counter | None:
    """Everything ``user`` reads per 10 km cell, as ``_grid_code_counts`` counts it on
    ``Occurrence.objects.visible_to(user)`` (a blurred record in the cell of its blurred
    area), read from the summary (``CellCount``: a few rows per cell and dataset instead of
    every record of the view). For a view without filters; None when the summary cannot
    tell what the user reads (anonymous visitors, who read validated records only, and
    users who read only their own entries)."""
    rows, precise = _summary_readable(CellCount.objects.all(), user)
    if rows is None:
        return None
    cell = F("grid_10km")
    if precise is not None:
        cell = Case(
            When(precise | Q(sensitivity_level=2), then=F("grid_10km")),
            default=F("blurred_cell"),
        )
    counts = (
        rows.order_by()
        .annotate(cell=cell)
        .exclude(cell="")
        .values("cell")
        .annotate(n=Sum("records"))
        .values_list("cell", "n")
    )
    return Counter({code: n for code, n in counts if touches is None or touches(code)})


def _summary_readable(rows, user):
    """``rows`` of a summary (dataset_id, sensitivity_level, created_by_id) kept as
    ``visible_to(user)`` keeps the records, and the condition of those ``user`` reads
    precisely (None: all of them); None for the rows when the summary cannot tell."""
    if not user.is_authenticated or user.read_scope == Scope.OWN:
        return None, None
    if user.read_scope != Scope.ALL:
        rows = rows.filter(dataset_id__in=Dataset.objects.visible_to(user).values("pk"))
    reader = Reader.for_user(user)
    if reader.sees_everything:
        return rows, None
    # Reader.precise_q on the summary's keys (its author is kept for level > 0 only: a
    # level-0 record is precise for everybody).
    precise = Q(sensitivity_level__lte=reader.clearance) | Q(created_by_id=user.pk)
    if reader.own_dataset_ids:
        precise |= Q(dataset_id__in=sorted(reader.own_dataset_ids))
    return rows.filter(precise | Q(sensitivity_level__lt=4)), precise


FINE_CELL_M = 1000


def summary_fine_cells(user, area: Polygon, cell_m: int) -> list | None:
    """``(i, j, count)`` of everything ``user`` reads per cell of ``cell_m`` metres (a
    multiple of 1 km) within ``area``'s Lambert-93 extent, as the tiles count them on
    ``visible_to(user)`` (a record in the cell of its shown geometry's point on surface),
    from the 1 km summary (``FineCellCount``). None when the summary cannot tell."""
    rows, precise = _summary_readable(FineCellCount.objects.all(), user)
    if rows is None:
        return None
    low_x, low_y, high_x, high_y = (
        int(value // FINE_CELL_M)
        for value in area.transform(settings.SRID, clone=True).extent
    )
    own = Q(i__range=(low_x, high_x), j__range=(low_y, high_y))
    # Two grouped reads rather than a CASE per row: the rows placed in their own cell
    # (an index-only scan of fine_cell_count_key, in its order), and the blurred ones
    # by their area's cell (fine_cell_count_blurred). For a staff member at 10,000,000
    # records, a zoom-10 tile's 215,000 summary rows were sorted by the CASE: 150 ms.
    reads = [rows.filter(own).values_list("i", "j")]
    if precise is not None:
        reads = [
            rows.filter(own & precise).values_list("i", "j"),
            rows.filter(
                ~precise, bi__range=(low_x, high_x), bj__range=(low_y, high_y)
            ).values_list("bi", "bj"),
        ]
    factor = cell_m // FINE_CELL_M
    cells = Counter()
    for read in reads:
        for i, j, n in read.order_by().annotate(n=Sum("records")):
            cells[(i // factor, j // factor)] += n
    return [(i, j, n) for (i, j), n in cells.items()]


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


def occurrences_in_map_box_upto(queryset, box, limit: int) -> int:
    """``occurrences_count_upto`` of the records a map draws in ``box`` (``filter_map_box``),
    counted part by part (``map_box_parts``): the map layers' point limit."""
    return occurrences_count_upto_parts(map_box_parts(queryset, box), limit)


def occurrences_count_upto_parts(parts, limit: int) -> int:
    """``occurrences_count_upto`` of disjoint querysets together, in one statement where
    each part is read up to the limit on its own (through its own index), and not at all
    once the parts before it passed the limit."""
    statement, params = "SELECT 0 AS n", []
    for part in parts:
        sql, part_params = queryset_sql(part.order_by().values("id")[: limit + 1])
        statement = (
            f"SELECT CASE WHEN t.n > %s THEN t.n"
            f" ELSE t.n + (SELECT count(*) FROM ({sql}) part) END AS n"
            f" FROM ({statement} OFFSET 0) t"  # kept whole: t.n computed once
        )
        params = [limit, *part_params, *params]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return min(cursor.fetchone()[0], limit + 1)


# Vector tiles (``/api/v1/occurrences/tiles/<z>/<x>/<y>.mvt``) ---------------------------
TILE_EXTENT = 4096  # tile-local units across a tile (the MVT default)
TILE_BUFFER = 64  # units kept beyond the tile's edge, so that symbols are not cut
MAX_TILE_ZOOM = 22
# Below this zoom a tile holds counts per cell, as the GeoJSON layer's aggregated mode.
TILE_POINTS_FROM_ZOOM = 12
# Lambert-93's area of use with a margin (WGS84): a tile outside it holds no occurrence.
L93_AREA = (-15.0, 35.0, 20.0, 60.0)
# The region's mean latitude, for the ground width of a tile (cell sizes).
_REGION_COS_LAT = math.cos(math.radians(50.5))
_EARTH_CIRCUMFERENCE_M = 40075016.686


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """The WGS84 bounds ``(minlon, minlat, maxlon, maxlat)`` of a Web Mercator tile."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return (x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y))


def tile_cell_size(z: int) -> int:
    """About 8 cells across a tile at the region's latitude, rounded up to 1, 2 or 5 × 10ⁿ
    metres (the sizes of the GeoJSON layer's cells), at most 50 km."""
    raw = _EARTH_CIRCUMFERENCE_M / 2**z * _REGION_COS_LAT / 8
    for size in (100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if raw <= size:
            return size
    return 50000


def _clipped_box(bounds, margin_lon: float = 0.0, margin_lat: float = 0.0):
    minlon, minlat, maxlon, maxlat = bounds
    box = (
        max(minlon - margin_lon, L93_AREA[0]),
        max(minlat - margin_lat, L93_AREA[1]),
        min(maxlon + margin_lon, L93_AREA[2]),
        min(maxlat + margin_lat, L93_AREA[3]),
    )
    if box[0] >= box[2] or box[1] >= box[3]:
        return None
    from cpie_naturaliste.core.filters import wgs84_box

    return wgs84_box(*box)


def occurrences_tile(*, queryset, z: int, x: int, y: int, user=None) -> bytes:
    """The Mapbox vector tile ``z/x/y`` of ``queryset`` (read through ``visible_to`` and the
    list's filters), built by PostGIS: empty bytes when the tile holds nothing.

    A record is where the map draws it (``map_geom``): its point, or for a record its
    reader may not place, its blurred area's point on surface (``blurred`` true). From
    ``TILE_POINTS_FROM_ZOOM``, and while the tile holds at most ``MAP_POINT_LIMIT``
    records, layer ``occurrences``: one point per record with the GeoJSON layer's
    properties. Otherwise layer ``cells``: counts per square Lambert-93 cell
    (``tile_cell_size``), counted as ``occurrences_grid_cells`` counts them (a blurred
    record in the cell of its blurred area's point on surface), every cell whole
    whichever tile asks for it, with its centre (``lon``, ``lat``, WGS84): a map labels and
    lists a cell once, whichever tiles hold its parts. ``user``: the queryset is all that
    user reads, without filters (cells of 10 km and more are then read from the
    summary)."""
    bounds = tile_bounds(z, x, y)
    # The buffer's width in degrees, so that a point drawn in the buffer is read too.
    pad_lon = (bounds[2] - bounds[0]) * TILE_BUFFER / TILE_EXTENT
    pad_lat = (bounds[3] - bounds[1]) * TILE_BUFFER / TILE_EXTENT
    if z >= TILE_POINTS_FROM_ZOOM:
        box = _clipped_box(bounds, pad_lon, pad_lat)
        if box is None:
            return b""
        if (
            occurrences_in_map_box_upto(queryset, box, MAP_POINT_LIMIT)
            <= MAP_POINT_LIMIT
        ):
            return _points_tile(filter_map_box(queryset, box).order_by(), z, x, y)
    return _cells_tile(queryset, z, x, y, bounds, pad_lon, pad_lat, user=user)


def _points_tile(queryset, z: int, x: int, y: int) -> bytes:
    rows = queryset.values(
        "id",
        "taxon_id",
        "count_max",
        "observation_status",
        "validation_status",
        "sensitivity_level",
        uuid_text=Cast("uuid", CharField()),
        date=Cast("date_start", CharField()),
        taxon_name=F("taxon__scientific_name"),
        vernacular_name=F("taxon__vernacular_name"),
        blurred=ExpressionWrapper(
            ~Q(precise_condition(queryset)), output_field=BooleanField()
        ),
        shown=map_geom(queryset),
    )
    sql, params = queryset_sql(rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT ST_AsMVT(t, 'occurrences', %s, 'geom', 'id') FROM (
                    SELECT sub.id, sub.uuid_text AS uuid, sub.taxon_id,
                           sub.date AS date_start, sub.count_max, sub.observation_status,
                           sub.validation_status, sub.sensitivity_level, sub.taxon_name,
                           sub.vernacular_name, sub.blurred,
                           ST_AsMVTGeom(ST_Transform(sub.shown, 3857),
                                        ST_TileEnvelope(%s, %s, %s), %s, %s, true) AS geom
                    -- OFFSET 0 keeps the rows' sub-select whole: flattened, the filter
                    -- on geom below made the tile cost 4 to 5 times the CPU.
                    FROM ({sql}) sub OFFSET 0
                ) t WHERE t.geom IS NOT NULL""",
            [TILE_EXTENT, z, x, y, TILE_EXTENT, TILE_BUFFER, *params],
        )
        return bytes(cursor.fetchone()[0] or b"")


def _geometry_cells(queryset, grown, cell_m: int) -> list:
    """``(i, j, count)`` per cell of ``cell_m`` metres of the records of ``queryset``
    whose map point (``map_geom``) lies in ``grown``, each in the cell of that point."""
    return _map_point_cells(filter_map_box(queryset, grown), cell_m)


def _cells_tile(queryset, z, x, y, bounds, pad_lon, pad_lat, user=None) -> bytes:
    cell_m = tile_cell_size(z)
    # Every record whose cell reaches into the tile (or its buffer): its shown geometry
    # holds the point that places it in its cell, so it overlaps the tile grown by a cell.
    grown = _clipped_box(
        bounds,
        pad_lon + 1.5 * cell_m / 65000,  # metres per degree of longitude at 54° N
        pad_lat + 1.5 * cell_m / 110000,
    )
    if grown is None:
        return b""
    if cell_m >= GRID_CODE_CELL_M:
        # The stored 10 km grid codes (an index-only scan), as the GeoJSON layer's large
        # cells; 20 and 50 km cells group them.
        factor = cell_m // GRID_CODE_CELL_M
        cells = Counter()
        touches = _codes_within(grown)
        counts = summary_code_counts(user, touches) if user is not None else None
        if counts is None:
            counts = _grid_code_counts(queryset, touches)
        for code, n in counts.items():
            cells[(int(code[8:11]) // factor, int(code[12:15]) // factor)] += n
        rows = [(i, j, n) for (i, j), n in cells.items()]
    else:
        # Cells of 1 to 5 km: from the 1 km summary for a view without filters.
        rows = None
        if user is not None and cell_m % FINE_CELL_M == 0:
            rows = summary_fine_cells(user, grown, cell_m)
        if rows is None:
            rows = _geometry_cells(queryset, grown, cell_m)
    if not rows:
        return b""
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_AsMVT(t, 'cells', %s, 'geom') FROM (
                   SELECT c.n AS count, %s AS cell_size_m,
                          round(ST_X(centre.p)::numeric, 5)::float8 AS lon,
                          round(ST_Y(centre.p)::numeric, 5)::float8 AS lat,
                          ST_AsMVTGeom(ST_Transform(ST_Segmentize(ST_MakeEnvelope(
                              c.i * %s, c.j * %s, (c.i + 1) * %s, (c.j + 1) * %s, %s),
                              %s), 3857),
                              ST_TileEnvelope(%s, %s, %s), %s, %s, true) AS geom
                   FROM unnest(%s::int[], %s::int[], %s::int[]) AS c(i, j, n),
                        LATERAL (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(
                            (c.i + 0.5) * %s, (c.j + 0.5) * %s), %s), 4326) AS p) centre
               ) t WHERE t.geom IS NOT NULL""",
            [
                TILE_EXTENT,
                cell_m,
                cell_m,
                cell_m,
                cell_m,
                cell_m,
                settings.SRID,
                cell_m / 4,
                z,
                x,
                y,
                TILE_EXTENT,
                TILE_BUFFER,
                list(columns[0]),
                list(columns[1]),
                list(columns[2]),
                cell_m,
                cell_m,
                settings.SRID,
            ],
        )
        return bytes(cursor.fetchone()[0] or b"")

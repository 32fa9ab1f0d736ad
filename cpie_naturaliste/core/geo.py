"""Geometry helpers shared by every app: the territory envelope and the INPN 10 km grid."""

import functools
import re
import threading

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon

GRID_10KM_RE = re.compile(r"^10kmL93E(\d{3})N(\d{3})$")


@functools.cache
def _territory_wkt() -> str:
    return settings.TERRITORY_WKT_FILE.read_text().strip()


def territory_polygon(*, with_srid: bool = True) -> GEOSGeometry:
    """The configured territory (Hauts-de-France plus a margin) in Lambert-93.

    ``with_srid=False`` gives the bare polygon for a CHECK constraint: GeoDjango gives a lookup
    geometry the column's SRID, and an SRID there would make the migration autodetector see a
    change on every run (GEOS equality compares SRIDs)."""
    # Rebuilt from coordinates so that the migration serializer can write it back.
    geom = Polygon(*(ring.coords for ring in GEOSGeometry(_territory_wkt())))
    if with_srid:
        geom.srid = settings.SRID
    return geom


def to_storage_srid(geom: GEOSGeometry) -> GEOSGeometry:
    """Return ``geom`` in the storage SRID (Lambert-93); a geometry without SRID is WGS84."""
    if geom.srid is None:
        geom = geom.clone()
        geom.srid = settings.API_SRID
    if geom.srid != settings.SRID:
        geom = geom.transform(settings.SRID, clone=True)
    return geom


def grid_10km_code(point: Point) -> str:
    """INPN code of the 10 km Lambert-93 cell holding ``point``, e.g. ``10kmL93E065N702``."""
    point = to_storage_srid(point)
    return f"10kmL93E{int(point.x // 10000):03d}N{int(point.y // 10000):03d}"


def grid_10km_polygon(code: str) -> Polygon:
    """Square of a 10 km cell from its INPN code, in Lambert-93."""
    match = GRID_10KM_RE.match(code)
    if not match:
        raise ValueError(f"Code de maille 10 km invalide : {code!r}")
    x, y = int(match.group(1)) * 10000, int(match.group(2)) * 10000
    polygon = Polygon.from_bbox((x, y, x + 10000, y + 10000))
    polygon.srid = settings.SRID
    return polygon


_local = threading.local()


def to_api_transform() -> CoordTransform:
    """The storage → API (Lambert-93 → WGS84) transformation, one per thread: PROJ
    transformation objects are not thread-safe, and building one costs about a millisecond,
    too much to pay per feature or per map cell."""
    transform = getattr(_local, "to_api", None)
    if transform is None:
        transform = _local.to_api = CoordTransform(
            SpatialReference(settings.SRID), SpatialReference(settings.API_SRID)
        )
    return transform

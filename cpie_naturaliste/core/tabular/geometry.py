"""Geometry cells: WKT text and coordinate pairs, checked against the French territory.

A point is read without GEOS (files of 100,000 points); other shapes go through GEOS, and every
shape is checked for the usual mix-up between degrees (WGS84) and metres (Lambert-93).
"""

import re

from django.contrib.gis.geos import GEOSException, GEOSGeometry, WKTWriter
from django.utils.translation import gettext as _

from .cells import CellError, show_value

_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_WKT_START = re.compile(
    r"^\s*(?:SRID=(\d+);)?\s*((?:MULTI)?(?:POINT|LINESTRING|POLYGON)|GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
_POINT = re.compile(
    rf"^\s*(?:SRID=(\d+);)?\s*POINT\s*Z?\s*\(\s*{_NUMBER}\s+{_NUMBER}(?:\s+{_NUMBER})?\s*\)\s*$",
    re.IGNORECASE,
)
_WKT_2D = WKTWriter(dim=2, trim=True)


def _check_srid(found: str | None, srid: int) -> int:
    if found is None:
        return srid
    if int(found) not in (4326, 2154):
        raise CellError(_("SRID %s non pris en charge (4326 ou 2154).") % found)
    return int(found)


def check_coordinates(x: float, y: float, srid: int) -> None:
    """Catch the usual mix-up between degrees and metres before any reprojection."""
    degrees = abs(x) <= 180 and abs(y) <= 90
    if srid == 4326 and not degrees:
        raise CellError(
            _(
                "coordonnées « %(x)s %(y)s » hors des bornes du WGS84 (degrés) : le "
                "fichier est-il en Lambert-93 ?"
            )
            % {"x": show_value(x), "y": show_value(y)}
        )
    # Far outside any French territory: refused here, before PROJ is asked to project it.
    if srid == 4326 and degrees and not (-30 <= x <= 40 and 30 <= y <= 75):
        message = _("coordonnées « %(x)s %(y)s » hors du territoire.") % {
            "x": x,
            "y": y,
        }
        if -30 <= y <= 40 and 30 <= x <= 75:
            message += " " + _("Longitude et latitude inversées ?")
        raise CellError(message)
    if (
        srid == 2154
        and not degrees
        and not (-500_000 <= x <= 2_000_000 and 5_500_000 <= y <= 7_500_000)
    ):
        raise CellError(
            _("coordonnées « %(x)s %(y)s » hors du territoire.") % {"x": x, "y": y}
        )
    if srid == 2154 and degrees:
        raise CellError(
            _(
                "coordonnées « %(x)s %(y)s » en degrés alors que le système choisi est "
                "Lambert-93 (mètres)."
            )
            % {"x": show_value(x), "y": show_value(y)}
        )


def point_ewkt(x: float, y: float, srid: int) -> tuple[str, str]:
    """(EWKT for COPY, key for the row fingerprint) of a point."""
    check_coordinates(x, y, srid)
    return f"SRID={srid};POINT({x!r} {y!r})", f"{srid}:{x!r}:{y!r}"


def parse_wkt(value, srid: int) -> tuple[str, str]:
    """(EWKT, fingerprint key) of a WKT cell; ``SRID=…;`` prefixes of 4326/2154 are honoured."""
    text = str(value)
    match = _POINT.match(text)
    if match:
        found, x, y = match.group(1), match.group(2), match.group(3)
        return point_ewkt(float(x), float(y), _check_srid(found, srid))
    start = _WKT_START.match(text)
    if not start:
        raise CellError(_("géométrie WKT invalide « %s ».") % show_value(value))
    srid = _check_srid(start.group(1), srid)
    body = text.split(";", 1)[1] if start.group(1) else text
    try:
        geom = GEOSGeometry(body, srid=srid)
    except (GEOSException, ValueError, TypeError):
        raise CellError(
            _("géométrie WKT invalide « %s ».") % show_value(value)
        ) from None
    if geom.empty:
        raise CellError(_("géométrie vide « %s ».") % show_value(value))
    xmin, ymin, xmax, ymax = geom.extent
    check_coordinates(xmin, ymin, srid)
    check_coordinates(xmax, ymax, srid)
    if not geom.valid:
        raise CellError(_("géométrie non valide : %s.") % geom.valid_reason)
    wkt = _WKT_2D.write(geom).decode()
    return f"SRID={srid};{wkt}", f"{srid}:{wkt}"

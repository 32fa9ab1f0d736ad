"""Parsing of single cells (CSV text or XLSX values) into typed values, with French errors.

These run once per cell of files of 100,000 rows and more: pure functions, cached where values
repeat (dates), no model or database access.
"""

import datetime as dt
import functools
import math
import re
import uuid

from django.contrib.gis.geos import GEOSException, GEOSGeometry, WKTWriter
from django.utils.translation import gettext as _

MAX_INT = 2_147_483_647
_WKT_START = re.compile(
    r"^\s*(?:SRID=(\d+);)?\s*((?:MULTI)?(?:POINT|LINESTRING|POLYGON)|GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_POINT = re.compile(
    rf"^\s*(?:SRID=(\d+);)?\s*POINT\s*Z?\s*\(\s*{_NUMBER}\s+{_NUMBER}(?:\s+{_NUMBER})?\s*\)\s*$",
    re.IGNORECASE,
)
_WKT_2D = WKTWriter(dim=2, trim=True)


class CellError(Exception):
    """A cell that cannot be read; ``message`` is French and names the value."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def show_value(value) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"


def parse_int(value, *, minimum: int | None = None) -> int:
    if isinstance(value, bool):
        raise CellError(_("« %s » n'est pas un nombre entier.") % show_value(value))
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(value)
        except (TypeError, ValueError):
            try:
                real = float(str(value).replace(",", "."))
            except ValueError:
                raise CellError(
                    _("« %s » n'est pas un nombre entier.") % show_value(value)
                ) from None
            if not real.is_integer():
                raise CellError(
                    _("« %s » n'est pas un nombre entier.") % show_value(value)
                ) from None
            number = int(real)
    if minimum is not None and number < minimum:
        raise CellError(_("« %s » est négatif.") % show_value(value))
    if abs(number) > MAX_INT:
        raise CellError(_("« %s » est trop grand.") % show_value(value))
    return number


def parse_float(value) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        try:
            number = float(str(value).replace(",", "."))
        except ValueError:
            raise CellError(
                _("« %s » n'est pas un nombre.") % show_value(value)
            ) from None
    if not math.isfinite(number):
        raise CellError(_("« %s » n'est pas un nombre.") % show_value(value))
    return number


@functools.lru_cache(maxsize=16384)
def _date_from_text(text: str) -> dt.date:
    if len(text) >= 10 and text[4] == "-":
        return dt.date.fromisoformat(text[:10])
    parts = text.split("/")
    if len(parts) == 3 and len(parts[2]) == 4:
        day, month, year = (int(part) for part in parts)
        return dt.date(year, month, day)
    raise ValueError(text)


def parse_date(value) -> dt.date:
    """ISO (2020-05-12, with or without a time) or French (12/05/2020) dates, XLSX dates."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return _date_from_text(str(value))
    except ValueError:
        raise CellError(
            _("date invalide « %s » (attendu AAAA-MM-JJ ou JJ/MM/AAAA).")
            % show_value(value)
        ) from None


def parse_time(value) -> dt.time:
    if isinstance(value, dt.datetime):
        return value.time()
    if isinstance(value, dt.time):
        return value
    text = str(value).replace("h", ":").replace("H", ":")
    try:
        parts = [int(part) for part in text.split(":")]
        if len(parts) == 2 and text.endswith(":"):
            parts = parts[:1]
        while len(parts) < 3:
            parts.append(0)
        if len(parts) != 3:
            raise ValueError(text)
        return dt.time(*parts)
    except ValueError:
        raise CellError(
            _("heure invalide « %s » (attendu HH:MM).") % show_value(value)
        ) from None


def parse_uuid(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise CellError(
            _("« %s » n'est pas un identifiant UUID valide.") % show_value(value)
        ) from None


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

"""Where an observation was made, as the entry form receives it: the GeoJSON drawn on the
map (WGS84), or a point typed as GPS degrees or Lambert-93 metres."""

import json

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WGS84 = "wgs84"
LAMBERT93 = "l93"
COORDINATE_SYSTEMS = [
    (WGS84, gettext_lazy("GPS (WGS84, degrés décimaux)")),
    (LAMBERT93, gettext_lazy("Lambert-93 (mètres)")),
]
DRAWN_TYPES = {"Point", "LineString", "Polygon"}
# Hauts-de-France in degrees, widely: enough to tell latitude from longitude.
LATITUDES = (47.0, 53.0)
LONGITUDES = (-1.0, 6.0)


def parse_coordinate(text: str) -> float:
    """A number as people type it: "50,4577", "50.4577", "684 250" (spaces, French comma)."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    try:
        return float(cleaned.replace(",", "."))
    except ValueError as exc:
        raise ValidationError(
            _("« %(value)s » n'est pas un nombre.") % {"value": text}
        ) from exc


def point_from_coordinates(system: str, x_text: str, y_text: str) -> Point:
    """A point from typed coordinates: ``x`` is the longitude or X, ``y`` the latitude or Y."""
    x, y = parse_coordinate(x_text), parse_coordinate(y_text)
    if system == LAMBERT93:
        if abs(x) <= 180 and abs(y) <= 90:
            raise ValidationError(
                _(
                    "Ces valeurs ressemblent à des degrés : choisissez le système "
                    "GPS (WGS84) ou saisissez X et Y en mètres."
                )
            )
        return Point(x, y, srid=settings.SRID)
    if abs(x) > 180 or abs(y) > 90:
        raise ValidationError(
            _(
                "Ces valeurs ressemblent à des mètres : choisissez Lambert-93, ou saisissez "
                "la longitude et la latitude en degrés décimaux."
            )
        )
    # Latitude typed in the longitude box and the other way round: no place of the
    # region has a longitude near 50°, so the swap is unambiguous.
    if LATITUDES[0] <= x <= LATITUDES[1] and LONGITUDES[0] <= y <= LONGITUDES[1]:
        x, y = y, x
    return Point(x, y, srid=settings.API_SRID)


def geometry_from_geojson(text: str) -> GEOSGeometry:
    """A point, line or polygon drawn on the map (GeoJSON geometry or feature, WGS84)."""
    invalid = ValidationError(_("La géométrie dessinée est illisible. Redessinez-la."))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise invalid from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in DRAWN_TYPES:
        raise ValidationError(
            _("Dessinez un point, une ligne ou un polygone sur la carte.")
        )
    coordinates = data.get("coordinates") or []
    try:
        if data["type"] == "LineString" and len(_distinct(coordinates)) < 2:
            raise ValidationError(_("Une ligne demande au moins deux points."))
        if data["type"] == "Polygon" and len(_distinct(coordinates[0])) < 3:
            raise ValidationError(_("Un polygone demande au moins trois sommets."))
        geom = GEOSGeometry(json.dumps(data), srid=settings.API_SRID)
    except (GEOSException, GDALException, ValueError, TypeError, IndexError) as exc:
        raise invalid from exc
    return geom


def _distinct(positions) -> set[tuple]:
    return {tuple(position) for position in positions}


def geometry_as_geojson(geom: GEOSGeometry | None) -> str:
    """The stored geometry as WGS84 GeoJSON for the map, coordinates rounded to ~1 cm."""
    if geom is None:
        return ""
    wgs84 = geom.transform(settings.API_SRID, clone=True)
    data = json.loads(wgs84.json)
    data["coordinates"] = _rounded(data["coordinates"])
    return json.dumps(data)


def _rounded(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        return [round(value, 7) for value in coordinates]
    return [_rounded(item) for item in coordinates]

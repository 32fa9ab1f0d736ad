"""Filter backends shared by every app's API."""

from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework_gis.filters import InBBoxFilter


class Wgs84InBBoxFilter(InBBoxFilter):
    """``?in_bbox=minlon,minlat,maxlon,maxlat`` read as WGS84 and compared in the column's SRID.

    drf-gis builds the polygon without an SRID, which PostGIS would read as Lambert-93 metres."""

    def get_filter_bbox(self, request):
        raw = request.query_params.get(self.bbox_param)
        if not raw:
            return None
        try:
            minlon, minlat, maxlon, maxlat = (float(v) for v in raw.split(","))
        except ValueError as exc:
            raise ParseError(
                _(
                    "Emprise invalide : attendu in_bbox=minlon,minlat,maxlon,maxlat en degrés."
                )
            ) from exc
        if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
            raise ParseError(
                _(
                    "Emprise invalide : longitudes et latitudes hors limites ou inversées."
                )
            )
        bbox = Polygon.from_bbox((minlon, minlat, maxlon, maxlat))
        bbox.srid = settings.API_SRID
        return bbox

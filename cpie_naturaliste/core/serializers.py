"""Serializer pieces shared by every app's API."""

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from rest_framework_gis.fields import GeometryField

_TO_API = CoordTransform(
    SpatialReference(settings.SRID), SpatialReference(settings.API_SRID)
)


class Wgs84GeometryField(GeometryField):
    """GeoJSON geometry in WGS84 from a Lambert-93 column (drf-gis would emit metres, no CRS).

    Input GeoJSON without a CRS is read as WGS84, as RFC 7946 says."""

    def to_representation(self, value):
        if value is not None and value.srid and value.srid != settings.API_SRID:
            value = value.transform(_TO_API, clone=True)
        return super().to_representation(value)

    def to_internal_value(self, value):
        geom = super().to_internal_value(value)
        if geom is not None and not geom.srid:
            geom.srid = settings.API_SRID
        return geom

"""Serializer pieces shared by every app's API."""

from django.conf import settings
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from cpie_naturaliste.core.geo import to_api_transform


class Wgs84GeometryField(GeometryField):
    """GeoJSON geometry in WGS84 from a Lambert-93 column (drf-gis would emit metres, no CRS).

    The model's geometry is transformed on a copy, never in place. Input GeoJSON without a
    CRS is read as WGS84, as RFC 7946 says; GeoDjango moves it to the column's SRID on save.
    Pass ``precision=6`` (about 0.1 m) to round coordinates."""

    def to_representation(self, value):
        if value is not None and value.srid and value.srid != settings.API_SRID:
            value = value.transform(to_api_transform(), clone=True)
        return super().to_representation(value)

    def to_internal_value(self, value):
        geom = super().to_internal_value(value)
        if geom is not None and not geom.srid:
            geom.srid = settings.API_SRID
        return geom


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's SlugRelatedField, refusing a NUL as an invalid value: DRF looks the slug up
    as given, and PostgreSQL text cannot hold a NUL (a DataError, a 500). DRF's
    CharField has ProhibitNullCharactersValidator; related fields have nothing."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)

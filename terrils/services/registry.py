"""Writes of the terril registry."""

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import transaction

from cpie_naturaliste.core.geo import to_storage_srid
from referentiel.models import Commune
from terrils.models import Terril


def as_multipolygon(geom) -> MultiPolygon:
    geom = to_storage_srid(geom)
    if isinstance(geom, Polygon):
        srid = geom.srid
        geom = MultiPolygon(geom)
        geom.srid = srid
    return geom


@transaction.atomic
def terril_save(*, terril: Terril, communes=None) -> Terril:
    """Validate and save a terril in Lambert-93. Without ``communes`` given, they are
    derived from the polygon; without a surface, it is the polygon's."""
    terril.geom = as_multipolygon(terril.geom)
    if terril.surface_ha is None:
        terril.surface_ha = terril.computed_surface_ha
    terril.full_clean()
    terril.save()
    if communes is None:
        communes = Commune.objects.filter(geom__intersects=terril.geom)
    terril.communes.set(communes)
    return terril

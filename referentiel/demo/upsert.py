"""Idempotent writes for the demo: a second run finds every row and saves nothing."""

from typing import TypeVar

from django.contrib.gis.geos import GEOSGeometry
from django.db import models

M = TypeVar("M", bound=models.Model)

# Geometries are recomputed on every run: equal within a centimetre is "unchanged".
GEOMETRY_TOLERANCE = 0.01


def same_value(current, wanted) -> bool:
    if isinstance(current, GEOSGeometry) and isinstance(wanted, GEOSGeometry):
        return current.srid == wanted.srid and current.equals_exact(
            wanted, GEOMETRY_TOLERANCE
        )
    return current == wanted


def upsert(model: type[M], *, lookup: dict, values: dict) -> tuple[M, bool]:
    """Create the row found by its natural key ``lookup``, or update the ``values`` that
    differ. Returns ``(row, changed)``; an unchanged row is not saved (its ``updated_at``
    stays as it was)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup, **values)
        row.save()
        return row, True
    changed = [
        field
        for field, value in values.items()
        if not same_value(getattr(row, field), value)
    ]
    for field in changed:
        setattr(row, field, values[field])
    if changed:
        row.save()
    return row, bool(changed)


def set_m2m(manager, wanted) -> bool:
    """Set a many-to-many relation only when it differs; returns True when it changed."""
    wanted_pks = {obj.pk for obj in wanted}
    if set(manager.values_list("pk", flat=True)) == wanted_pks:
        return False
    manager.set(wanted_pks)
    return True

"""What an app declares of the OGC API – Features: its collections.

Each app that offers a layer to GIS clients writes an ``ogc`` module exposing
``COLLECTIONS`` (a tuple of :class:`Collection`), found through the app registry as the
menu's ``navigation`` modules are (``cpie_naturaliste.core.apps.app_submodules``). A
collection says only what its app already knows: which rows a user reads (the same
selector as its pages and its REST API), which of them may be read at all by that user,
the geometry a reader sees, the properties of a feature and how a bounding box filters
it. The core (``cpie_naturaliste.core.ogc.views``) does the rest — parameters, paging,
GeoJSON, links, OpenAPI — the same way for every collection, and names no app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from cpie_naturaliste.core.apps import app_submodules

# JSON Schema type of a property → (type, format) in the collection's schema.
PROPERTY_TYPES = {
    "string": ("string", None),
    "integer": ("integer", None),
    "number": ("number", None),
    "boolean": ("boolean", None),
    "date": ("string", "date"),
    "date-time": ("string", "date-time"),
    "uuid": ("string", "uuid"),
}


@dataclass(frozen=True)
class Property:
    """One property of a feature: its name, JSON type (``PROPERTY_TYPES``), French title,
    and where its value comes from — a field path of the collection's model
    (``"taxon__scientific_name"``), or a callable that, given the reader's queryset,
    returns an expression (a blurred record's place name is the blurring's business)."""

    name: str
    type: str
    title: str
    source: str | Callable[[QuerySet], Any] | None = None

    def expression(self, queryset: QuerySet):
        source = self.source or self.name
        if callable(source):
            return source(queryset)
        return F(source)


def choice_label(field_name: str, choices) -> Case:
    """The French label of a choice field, in SQL (``get_FOO_display``)."""
    return Case(
        *(
            When(**{field_name: value}, then=Value(str(label)))
            for value, label in choices
        ),
        default=Value(""),
        output_field=CharField(),
    )


def _geometry_overlaps(geometry: str):
    def in_box(queryset: QuerySet, box) -> QuerySet:
        return queryset.filter(
            Q(**{f"{geometry}__bboverlaps": box})
            & Q(**{f"{geometry}__intersects": box})
        )

    return in_box


@dataclass(frozen=True)
class Collection:
    """A layer of the OGC API.

    ``rows(user)`` is what ``user`` reads, from the app's own selector; ``readable(user)``
    whether the collection is offered to ``user`` at all (None: to everyone, anonymous
    visitors included, ``rows`` deciding what they see); ``geometry(queryset)`` the
    geometry a reader sees (a field name, or an expression built from the reader's
    queryset); ``in_box(queryset, box)`` the bounding-box filter (by default the shown
    geometry overlapping the box); ``dates`` the (start, end) date fields that the
    ``datetime`` parameter filters (None: a collection without time, which the
    parameter leaves whole)."""

    id: str
    title: str
    description: str
    rows: Callable[[Any], QuerySet]
    properties: tuple[Property, ...]
    geometry: str | Callable[[QuerySet], Any] = "geom"
    geometry_type: str = "Geometry"
    readable: Callable[[Any], bool] | None = None
    in_box: Callable[[QuerySet, Any], QuerySet] | None = None
    dates: tuple[str, str] | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def offered_to(self, user) -> bool:
        return self.readable is None or bool(self.readable(user))

    def geometry_expression(self, queryset: QuerySet):
        if callable(self.geometry):
            return self.geometry(queryset)
        return F(self.geometry)

    def filter_box(self, queryset: QuerySet, box) -> QuerySet:
        if self.in_box is not None:
            return self.in_box(queryset, box)
        if callable(self.geometry):
            raise TypeError(f"{self.id}: a computed geometry needs its own in_box")
        return _geometry_overlaps(self.geometry)(queryset, box)


@cache
def declared_collections() -> tuple[Collection, ...]:
    """Every installed app's ``COLLECTIONS``, in ``INSTALLED_APPS`` order."""
    found = tuple(
        collection
        for module in app_submodules("ogc")
        for collection in getattr(module, "COLLECTIONS", ())
    )
    ids = [c.id for c in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"Collections OGC déclarées deux fois : {sorted(duplicates)}")
    return found


def collection_named(collection_id: str) -> Collection | None:
    for collection in declared_collections():
        if collection.id == collection_id:
            return collection
    return None

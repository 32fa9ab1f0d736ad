"""Filter backends and query parameters shared by every app's API and pages."""

import weakref

import django_filters
from django import forms
from django.conf import settings
from django.contrib.gis.geos import LinearRing, Polygon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ParseError
from rest_framework.filters import BaseFilterBackend
from rest_framework_gis.filters import InBBoxFilter

# Points per side of the bbox polygon: a parallel is a curve in Lambert-93, bulging up to
# ~1.5 km from the chord across a 3° map view; with 16 points the gap is under 10 m.
BBOX_EDGE_POINTS = 16


def wgs84_bbox_polygon(value: str) -> Polygon:
    """``minlon,minlat,maxlon,maxlat`` in degrees → a WGS84 polygon (SRID set), densified
    so that it keeps its shape once transformed to Lambert-93. Raises ``ParseError``."""
    try:
        minlon, minlat, maxlon, maxlat = (float(v) for v in value.split(","))
    except ValueError as exc:
        raise ParseError(
            _(
                "Emprise invalide : attendu in_bbox=minlon,minlat,maxlon,maxlat en degrés."
            )
        ) from exc
    if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
        raise ParseError(
            _("Emprise invalide : longitudes et latitudes hors limites ou inversées.")
        )
    return wgs84_box(minlon, minlat, maxlon, maxlat)


def wgs84_box(minlon: float, minlat: float, maxlon: float, maxlat: float) -> Polygon:
    """The box between two WGS84 corners (checked by the caller) as a polygon with SRID
    4326, densified so that it keeps its shape once transformed to Lambert-93."""
    steps = [i / BBOX_EDGE_POINTS for i in range(BBOX_EDGE_POINTS)]
    dx, dy = maxlon - minlon, maxlat - minlat
    ring = (
        [(minlon + s * dx, minlat) for s in steps]
        + [(maxlon, minlat + s * dy) for s in steps]
        + [(maxlon - s * dx, maxlat) for s in steps]
        + [(minlon, maxlat - s * dy) for s in steps]
        + [(minlon, minlat)]
    )
    return Polygon(LinearRing(ring), srid=settings.API_SRID)


class Wgs84InBBoxFilter(InBBoxFilter):
    """``?in_bbox=minlon,minlat,maxlon,maxlat`` read as WGS84 and compared in the column's SRID.

    drf-gis builds the polygon without an SRID, which PostGIS would read as Lambert-93 metres.
    Here the polygon carries SRID 4326, so GeoDjango transforms it to the column's SRID in
    the query (``ST_Transform``) and the GiST index on the column is used."""

    def get_filter_bbox(self, request):
        raw = request.query_params.get(self.bbox_param)
        if not raw:
            return None
        return wgs84_bbox_polygon(raw)


class YearFilter(django_filters.NumberFilter):
    """``?year=2020`` on a date field: a whole year between 1 and 9999. A decimal, or a
    year Python's dates cannot hold (0, 914450), is a form error, not a crash of the
    ``__year`` lookup."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "year")
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


def reader_filterset(model, fields: list[str], choices: dict) -> type:
    """A FilterSet on ``fields`` of ``model`` whose relation filters named in ``choices``
    accept only what the request's user may read (``choices[name](user)``): a hidden row's
    id is refused like an unknown one (400), so that the answer does not tell that it
    exists. The other fields are filtered as ``filterset_fields`` would."""

    def reading(name, selector):
        related = model._meta.get_field(name).related_model

        def queryset(request):
            user = getattr(request, "user", None)
            return selector(user) if user is not None else related.objects.none()

        return queryset

    declared = {
        name: django_filters.ModelChoiceFilter(
            field_name=name, queryset=reading(name, selector)
        )
        for name, selector in choices.items()
    }
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(
        f"{model.__name__}ReaderFilter",
        (django_filters.FilterSet,),
        {**declared, "Meta": meta},
    )


def page_year(query, default: str | None = "") -> str | None:
    """A page's ``?year=``, the query parameter of every app; ``?annee=``, the name the
    pages' links and forms had before, is still read so that saved links keep working."""
    return query.get("year", query.get("annee", default))


def known_value(queryset, field: str, message: str):
    """A form validator: the value must name a row of ``queryset`` by ``field`` (a commune
    by its INSEE code…). An unknown code is a 400 naming it, not an empty answer that
    reads as "nothing there"."""

    def validate(value):
        if value in (None, ""):
            return
        if "\x00" in str(value) or not queryset.all().filter(**{field: value}).exists():
            raise ValidationError(message, params={"value": value})

    return validate


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds no FilterSet for a request without query
    parameters (a map tile): it would filter nothing, and building one deep-copies every
    filter and makes a form. For FilterSets whose filters all skip an empty value (no
    required filter, no filtering of their own)."""

    def filter_queryset(self, request, queryset, view):
        if not request.query_params:
            return queryset
        return super().filter_queryset(request, queryset, view)


class KnownParameters(BaseFilterBackend):
    """Refuses (400, in French) a query parameter the view does not read, naming those it
    does: ``?updated_min=`` for ``?updated_since=`` would otherwise answer everything, as if
    it had been understood. Put it first in a view's ``filter_backends``.

    Accepted: the fields of the view's FilterSet (with their suffixes: ``_min``,
    ``_max``…), the parameters every other filter backend and the paginator declare in the
    schema, ``format``, and the view's ``extra_query_params``."""

    def filter_queryset(self, request, queryset, view):
        if not request.query_params:  # nothing to refuse: a map tile, a first view
            return queryset
        accepted = accepted_parameters(request, queryset, view)
        unknown = sorted(set(request.query_params) - accepted)
        if unknown:
            raise ParseError(
                _(
                    "Paramètre(s) inconnu(s) : %(unknown)s. Paramètres acceptés : "
                    "%(accepted)s."
                )
                % {
                    "unknown": ", ".join(unknown),
                    "accepted": ", ".join(sorted(accepted)),
                }
            )
        return queryset


def accepted_parameters(request, queryset, view) -> set[str]:
    accepted = {
        settings.REST_FRAMEWORK.get("URL_FORMAT_OVERRIDE", "format") or "format"
    }
    accepted.update(getattr(view, "extra_query_params", ()))
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, KnownParameters):
            continue
        if isinstance(backend, DjangoFilterBackend):
            filterset_class = backend.get_filterset_class(view, queryset)
            if filterset_class is not None:
                accepted.update(_filterset_names(filterset_class, request))
            continue
        for name in ("bbox_param", "ordering_param", "search_param"):
            if hasattr(backend, name):
                accepted.add(getattr(backend, name))
    paginator = getattr(view, "paginator", None)
    if paginator is not None:
        for name in (
            "page_query_param",
            "page_size_query_param",
            "cursor_query_param",
            "limit_query_param",
            "offset_query_param",
        ):
            value = getattr(paginator, name, None)
            if value:
                accepted.add(value)
    return accepted


# FilterSet class → the parameter names of its form: they are the class's filters, whoever
# asks, and building the form (a deep copy of every filter, a form class) to read them on
# every request costs more than the filtering itself.
_FILTERSET_NAMES: "weakref.WeakKeyDictionary[type, frozenset[str]]" = (
    weakref.WeakKeyDictionary()
)


def _filterset_names(filterset_class, request) -> frozenset[str]:
    names = _FILTERSET_NAMES.get(filterset_class)
    if names is None:
        names = frozenset(_form_names(filterset_class(request=request).form))
        _FILTERSET_NAMES[filterset_class] = names
    return names


def _form_names(form) -> set[str]:
    names = set()
    for name, field in form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names

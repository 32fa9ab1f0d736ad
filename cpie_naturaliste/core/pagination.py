import base64
import binascii
import json
from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework_gis.pagination import GeoJsonPagination as BaseGeoJsonPagination

from cpie_naturaliste.core.sql import sync_watermark

MAX_PAGE_SIZE = 500


def page_size_parameter(default: int, maximum: int = MAX_PAGE_SIZE) -> dict:
    """``page_size`` as the schema documents it: its bounds are part of the contract (a
    larger value is refused, not silently cut)."""
    return {
        "name": "page_size",
        "required": False,
        "in": "query",
        "description": _("Lignes par page (%(default)d par défaut, %(max)d au plus).")
        % {"default": default, "max": maximum},
        "schema": {"type": "integer", "minimum": 1, "maximum": maximum},
    }


def requested_page_size(request, default: int, maximum: int = MAX_PAGE_SIZE) -> int:
    """``?page_size=``: a whole number from 1 to ``maximum``, else a 400 in French."""
    raw = request.query_params.get("page_size")
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= maximum:
        raise ParseError(
            _("page_size : un nombre entier de 1 à %(max)d est attendu.")
            % {"max": maximum}
        )
    return size


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return requested_page_size(request, self.page_size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        return [
            page_size_parameter(self.page_size, self.max_page_size)
            if p["name"] == "page_size"
            else p
            for p in parameters
        ]


class KeysetPagination(BasePagination):
    """Pages in a total order on ``(timestamp, id)``, for clients that copy a table that
    changes while they read it (the sync API).

    A page number counts rows, so a row inserted or deleted before the current page moves
    every row after it: the next page repeats or skips one. Here the ``next`` link carries
    the key of the last row sent (an opaque cursor, base64 of JSON), and the next page
    starts strictly after it: ``(t, id) > (t₀, id₀)``, read from the index on the two
    columns. A row modified during the walk moves to the end of the order, so it is sent
    again later, never missed. The cursor also carries ``until`` (``sync_watermark`` when
    the walk began), sent with every page: the value the client passes as its next
    "since" — every row committed after it has a later timestamp."""

    cursor_query_param = "cursor"
    page_size = 100
    timestamp_field = "updated_at"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = requested_page_size(request, self.page_size)
        raw = request.query_params.get(self.cursor_query_param)
        if raw:
            after, self.until = self._decode(raw)
            stamp, pk = after
            queryset = queryset.filter(
                Q(**{f"{self.timestamp_field}__gt": stamp})
                | Q(**{self.timestamp_field: stamp, "id__gt": pk}),
                **{f"{self.timestamp_field}__gte": stamp},
            )
        else:
            self.until = sync_watermark()
        rows = list(queryset.order_by(self.timestamp_field, "id")[: size + 1])
        self.has_next = len(rows) > size
        self.rows = rows[:size]
        return self.rows

    def get_paginated_response(self, data):
        return Response(
            {"next": self.next_link(), "until": self.until.isoformat(), "results": data}
        )

    def next_link(self) -> str | None:
        if not self.has_next:
            return None
        last = self.rows[-1]
        stamp = getattr(last, self.timestamp_field)
        cursor = json.dumps([stamp.isoformat(), last.pk, self.until.isoformat()])
        token = base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, token)

    def _decode(self, token: str):
        try:
            padded = token + "=" * (-len(token) % 4)
            stamp, pk, until = json.loads(base64.urlsafe_b64decode(padded))
            parsed = (datetime.fromisoformat(stamp), int(pk))
            return parsed, datetime.fromisoformat(until)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise ParseError(_("Curseur invalide : suivez le lien « next ».")) from exc

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "until", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": _("Page suivante ; null à la dernière."),
                },
                "until": {
                    "type": "string",
                    "format": "date-time",
                    "description": _(
                        "À passer comme « depuis » à la synchronisation suivante."
                    ),
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": _("Curseur opaque du lien « next »."),
                "schema": {"type": "string"},
            },
            page_size_parameter(self.page_size),
        ]


class SyncablePagination(StandardPagination):
    """Page numbers for the clients that browse, keyset pages (``KeysetPagination``) for
    those that copy: a request with one of ``sync_params`` (``updated_since``, or the
    ``cursor`` of a ``next`` link) is paged by ``(updated_at, id)``. Existing clients keep
    their answer; the schema documents both shapes."""

    sync_params = ("updated_since", "cursor")
    cursor_query_param = KeysetPagination.cursor_query_param
    keyset = None

    def paginate_queryset(self, queryset, request, view=None):
        if any(name in request.query_params for name in self.sync_params):
            self.keyset = KeysetPagination()
            return self.keyset.paginate_queryset(queryset, request, view)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return self.keyset.get_paginated_response(data)
        return super().get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        return {
            "oneOf": [
                super().get_paginated_response_schema(schema),
                KeysetPagination().get_paginated_response_schema(schema),
            ]
        }

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            KeysetPagination().get_schema_operation_parameters(view)[0],
        ]


class GeoJsonPagination(BaseGeoJsonPagination):
    """A FeatureCollection per page, documented as it is sent.

    drf-gis renames ``results`` to ``features`` in the page schema but keeps ``results`` in
    ``required`` and gives ``features`` the schema of a whole FeatureCollection. A page is
    the FeatureCollection of its rows plus ``count``, ``next`` and ``previous``."""

    def get_paginated_response_schema(self, schema):
        page = PageNumberPagination.get_paginated_response_schema(self, schema)
        del page["properties"]["results"]
        page["required"] = ["count"]
        return {"allOf": [schema, page]}


class CappedPage:
    """A page of an HTML list whose total is counted only up to ``cap`` rows.

    Django's Paginator counts every matching row on every request; on a table of a million
    rows that COUNT costs more than the page itself. Here the count stops at ``cap + 1``
    (``total`` is None beyond, shown as "plus de …") and ``has_next`` comes from reading
    one row past the page, so deep pages stay reachable with "Suivante"."""

    def __init__(self, queryset, number, *, per_page: int = 25, cap: int = 10000):
        self.per_page = per_page
        self.cap = cap
        counted = queryset.order_by().values("pk")[: cap + 1].count()
        self.total = counted if counted <= cap else None
        try:
            self.number = max(int(number), 1)
        except (TypeError, ValueError):
            self.number = 1
        if self.num_pages is not None:
            self.number = min(self.number, self.num_pages)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self.start_index = start + 1 if self.object_list else 0
        self.end_index = start + len(self.object_list)

    @property
    def num_pages(self) -> int | None:
        if self.total is None:
            return None
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

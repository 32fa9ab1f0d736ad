from rest_framework.pagination import PageNumberPagination
from rest_framework_gis.pagination import GeoJsonPagination as BaseGeoJsonPagination


class StandardPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


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

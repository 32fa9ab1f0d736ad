"""A queryset's SQL, for the reads written around it in SQL (GeoJSON built by PostgreSQL,
COPY, GROUPING SETS)."""

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode


def queryset_sql(queryset: QuerySet) -> tuple[str, tuple]:
    """``queryset.query.sql_with_params()``, also for a queryset Django knows to be empty
    (a filter on an empty list, such as an unknown code resolved to no row): Django then
    raises EmptyResultSet, here it gives a query of the same columns and no rows."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        query = queryset.query.clone()
        query.where = WhereNode()
        sql, params = query.sql_with_params()
        return f"SELECT * FROM ({sql}) nothing WHERE false", params

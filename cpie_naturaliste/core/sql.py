"""A queryset's SQL, for the reads written around it in SQL (GeoJSON built by PostgreSQL,
COPY, GROUPING SETS)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
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


def sync_watermark() -> datetime:
    """The latest time T such that every row committed from now on was stamped at or after
    T: the start of the oldest transaction still open on this database (a row it writes is
    stamped during it, so not before it began), or now; less ``SYNC_CLOCK_MARGIN`` seconds
    for the clocks of the application servers, which stamp ``auto_now`` fields, against the
    database's. A client that reads the rows changed since T next time misses none of the
    rows that were still uncommitted when it read (the sync API's ``until``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT LEAST(now(), min(xact_start)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND xact_start IS NOT NULL"
        )
        oldest = cursor.fetchone()[0]
    return oldest - timedelta(seconds=settings.SYNC_CLOCK_MARGIN)

"""The reset between tests that commit (``transaction=True, serialized_rollback=True``),
done in SQL instead of through the ORM.

Django empties every table after such a test (``flush``: one ``TRUNCATE`` of the ~120
tables, which makes new files for each table and index: 0.9 s) and, before the next one,
reloads the rows the database held when it was created (the data migrations'
nomenclatures, permissions, content types…) by deserialising them object by object
(0.9 s): 1.8 s for each of the 76 committing tests, measured on an idle machine with a
trivial test. Done as below: 0.05 s.

Here, on PostgreSQL with a superuser (the project's own cluster):

- the rows of the new test database are kept once, table by table, in a schema of that
  database (``test_baseline``) instead of a JSON string;
- ``flush`` deletes the rows of the tables that hold any (an empty table costs nothing),
  foreign key and trigger checks off for the statement (``session_replication_role``), as
  ``TRUNCATE`` does not run them either;
- the restore copies the kept rows back with one ``INSERT … SELECT`` per table, triggers
  off: the rows come back exactly as they were, with no signal or trigger adding to them.

Elsewhere (another database, a role that is not a superuser) Django's own way runs.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.postgresql.operations import DatabaseOperations

SCHEMA = "test_baseline"
MARK = "sql-baseline:"

_serialize = BaseDatabaseCreation.serialize_db_to_string
_deserialize = BaseDatabaseCreation.deserialize_db_from_string
_sql_flush = DatabaseOperations.sql_flush


def _superuser(connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    known = getattr(connection, "_test_reset_superuser", None)
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            known = bool(cursor.fetchone()[0])
        connection._test_reset_superuser = known
    return known


def _columns(cursor, table: str) -> str:
    """The columns an INSERT may name (not the generated ones), in table order."""
    cursor.execute(
        "SELECT quote_ident(column_name) FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s"
        " AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    )
    return ", ".join(name for (name,) in cursor.fetchall())


def serialize_db_to_string(self) -> str:
    connection = self.connection
    if not _superuser(connection):
        return _serialize(self)
    tables = connection.introspection.django_table_names(
        only_existing=True, include_views=False
    )
    kept = []
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in sorted(tables):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})")
            if not cursor.fetchone()[0]:
                continue
            columns = _columns(cursor, table)
            cursor.execute(
                f"CREATE TABLE {SCHEMA}.{quoted} AS SELECT {columns} FROM {quoted}"
            )
            kept.append([table, columns])
    return MARK + json.dumps(kept)


def deserialize_db_from_string(self, data: str) -> None:
    if not data.startswith(MARK):
        return _deserialize(self, data)
    connection = self.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for table, columns in json.loads(data.removeprefix(MARK)):
            quoted = connection.ops.quote_name(table)
            # The first committing test of a worker finds the rows still there.
            cursor.execute(
                f"INSERT INTO {quoted} ({columns}) OVERRIDING SYSTEM VALUE"
                f" SELECT {columns} FROM {SCHEMA}.{quoted} ON CONFLICT DO NOTHING"
            )


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    if not tables or reset_sequences or not _superuser(self.connection):
        return _sql_flush(
            self,
            style,
            tables,
            reset_sequences=reset_sequences,
            allow_cascade=allow_cascade,
        )
    names = ", ".join(f"'{table}'" for table in tables)
    return [
        "DO $flush$ DECLARE name text; BEGIN"
        " PERFORM set_config('session_replication_role', 'replica', true);"
        f" FOREACH name IN ARRAY ARRAY[{names}]::text[] LOOP"
        " EXECUTE format('DELETE FROM %I', name); END LOOP;"
        " END $flush$;"
    ]


def install() -> None:
    BaseDatabaseCreation.serialize_db_to_string = serialize_db_to_string
    BaseDatabaseCreation.deserialize_db_from_string = deserialize_db_from_string
    DatabaseOperations.sql_flush = sql_flush

"""The data generation: a number that moves whenever the field data changes, so that what
is computed from that data (the dashboard's snapshots, indicateurs.snapshots) knows
whether it is still exact.

It is a PostgreSQL sequence advanced by triggers, so that no change escapes it: ORM
saves, ``QuerySet.update``, bulk imports by COPY, raw SQL. It advances at the changing
statement (for the transaction's own readers) and again at its commit (a deferred
constraint trigger on a one-row-per-transaction table: a reader who computed between the
change and the commit did not see it). A sequence is outside transactions (no lock, no
hot row) and lives with the data it describes (each test database has its own).

Why here: the sequence, its functions and table are created by this app's migration
(``core`` 0001, :func:`generation_sql`), at the bottom of the layers, so that each app
watches its own tables in its own migrations (:func:`watch`, :func:`watch_except`)
without depending on the apps above it that read the generation. A new model of a field-data app adds ``watch`` of its
table to its migration (tests/indicateurs/test_snapshots.py lists the tables left out).
"""

from django.db import connection, migrations


def generation_sql(prefix: str) -> tuple[str, str]:
    """The SQL that creates, and the SQL that drops, a data generation named ``prefix``:
    its sequence, its trigger functions and its commit table (indicateurs 0006 created
    one named ``indicateurs`` before it moved here)."""
    create = f"""
CREATE SEQUENCE {prefix}_data_generation;
CREATE TABLE {prefix}_data_change (id bigserial PRIMARY KEY);

CREATE FUNCTION {prefix}_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('{prefix}_data_generation');
  IF current_setting('{prefix}.changed', true) IS DISTINCT FROM '1' THEN
    PERFORM set_config('{prefix}.changed', '1', true);
    INSERT INTO {prefix}_data_change DEFAULT VALUES;
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION {prefix}_data_committed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('{prefix}_data_generation');
  DELETE FROM {prefix}_data_change WHERE id = NEW.id;
  RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER {prefix}_data_committed
  AFTER INSERT ON {prefix}_data_change
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION {prefix}_data_committed();
"""
    drop = f"""
DROP FUNCTION IF EXISTS {prefix}_data_changed() CASCADE;
DROP TABLE IF EXISTS {prefix}_data_change;
DROP FUNCTION IF EXISTS {prefix}_data_committed();
DROP SEQUENCE {prefix}_data_generation;
"""
    return create, drop


PREFIX = "core"
SEQUENCE = f"{PREFIX}_data_generation"
TRIGGER = f"{PREFIX}_data_changed"
FUNCTION = f"{PREFIX}_data_changed()"


def _statement_trigger(table: str, events: str) -> str:
    return (
        f'CREATE TRIGGER {TRIGGER} AFTER {events} ON "{table}"'
        f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION};"
    )


def _drop(table: str, name: str = TRIGGER) -> str:
    return f'DROP TRIGGER {name} ON "{table}";'


def watch(*tables: str) -> migrations.RunSQL:
    """The migration operation after which every statement changing one of ``tables``
    advances the generation (reversed by dropping the triggers)."""
    events = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
    return migrations.RunSQL(
        [_statement_trigger(table, events) for table in tables],
        [_drop(table) for table in tables],
    )


def watch_except(table: str, column: str) -> migrations.RunSQL:
    """As :func:`watch`, except an update that changes nothing but ``column`` (a user's
    ``last_login``: logging in changes no figure), told row by row."""
    update = (
        f'CREATE TRIGGER {TRIGGER}_update AFTER UPDATE ON "{table}" FOR EACH ROW'
        f" WHEN ((to_jsonb(OLD) - '{column}') IS DISTINCT FROM"
        f" (to_jsonb(NEW) - '{column}'))"
        f" EXECUTE FUNCTION {FUNCTION};"
    )
    return migrations.RunSQL(
        [_statement_trigger(table, "INSERT OR DELETE OR TRUNCATE"), update],
        [_drop(table), _drop(table, f"{TRIGGER}_update")],
    )


def generation() -> int:
    """The current data generation (the sequence's last value, whoever drew it)."""
    with connection.cursor() as cursor:
        # Before its first nextval a sequence shows last_value 1 with is_called false.
        cursor.execute(
            f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SEQUENCE}"
        )
        return cursor.fetchone()[0]


def data_changed() -> None:
    """Data the triggers do not watch changed (a derived table the figures read): what
    was computed before is stale from now on."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])

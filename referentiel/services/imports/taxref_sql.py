"""SQL side of the TAXREF import: the temporary load table, its checks and the merge.

Table and column names come from the Taxon model's metadata; the only name written here is the
temporary table's, which lives in the session's own schema.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from referentiel.models import Taxon

LOAD_TABLE = "taxref_load"
INTEGER_FIELDS = {"cd_nom", "cd_ref", "cd_sup", "cd_taxsup"}
MAX_REPORTED = 100
# Writing at least REBUILD_MIN_ROWS rows, and more than REBUILD_RATIO times the rows already in
# the table, drops the secondary indexes (and foreign keys) and builds them again after the
# merge. Measured on 700,000 rows (bench/): into an empty table, insert + build takes 7.8 s
# against 9.2 s maintaining the trigram index row by row; rewriting a full table, both take
# ~14 s, and then keeping the indexes wins because readers are not locked out meanwhile.
REBUILD_MIN_ROWS = 20_000
REBUILD_RATIO = 2


@dataclass(frozen=True)
class MergeCounts:
    created: int
    updated: int
    unchanged: int
    index_rebuilt: bool


def _column(field: str) -> str:
    return Taxon._meta.get_field(field).column


def _load_type(field: str) -> str:
    if field in INTEGER_FIELDS:
        return "integer"
    # Text columns take any length here: lengths are checked in Python, where the line is known.
    return "bigint" if field == "atlas_group" else "text"


def _columns(fields: tuple[str, ...]) -> list[str]:
    return [_column(field) for field in fields]


def load_table_create(*, cursor, fields: tuple[str, ...]) -> None:
    """(Re)create the session's temporary load table, dropped at commit or rollback.

    ``fields`` are Taxon fields in the order COPY sends them, after the file line number."""
    definitions = ["line integer"] + [
        f"{_column(field)} {_load_type(field)}" for field in fields
    ]
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{LOAD_TABLE}")
    cursor.execute(
        f"CREATE TEMP TABLE {LOAD_TABLE} ({', '.join(definitions)}) ON COMMIT DROP"
    )


def copy_statement(*, fields: tuple[str, ...]) -> str:
    return f"COPY {LOAD_TABLE} (line, {', '.join(_columns(fields))}) FROM STDIN"


def load_table_check(*, cursor, name: str) -> list[str]:
    """Problems only visible across rows: a cd_nom twice, a cd_ref pointing nowhere."""
    table = Taxon._meta.db_table
    cd_nom, cd_ref = _column("cd_nom"), _column("cd_ref")
    # Temporary tables are never analysed automatically; the joins below need the statistics.
    cursor.execute(f"ANALYZE {LOAD_TABLE}")
    problems = []
    cursor.execute(
        f"SELECT {cd_nom}, array_agg(line ORDER BY line) FROM {LOAD_TABLE}"
        f" GROUP BY {cd_nom} HAVING count(*) > 1 ORDER BY min(line) LIMIT %s",
        [MAX_REPORTED],
    )
    for value, lines in cursor.fetchall():
        problems.append(
            _("« %(file)s », lignes %(lines)s : CD_NOM %(cd_nom)d en double.")
            % {
                "file": name,
                "lines": ", ".join(str(line) for line in lines[:10]),
                "cd_nom": value,
            }
        )
    cursor.execute(
        f"SELECT line, {cd_ref} FROM {LOAD_TABLE} AS l"
        f" WHERE NOT EXISTS (SELECT FROM {LOAD_TABLE} AS r WHERE r.{cd_nom} = l.{cd_ref})"
        f" AND NOT EXISTS (SELECT FROM {table} AS t WHERE t.{cd_nom} = l.{cd_ref})"
        f" ORDER BY line LIMIT %s",
        [MAX_REPORTED],
    )
    for line, value in cursor.fetchall():
        problems.append(
            _(
                "« %(file)s », ligne %(line)d : CD_REF %(cd_ref)d ne correspond à aucun "
                "CD_NOM du fichier ni des taxons déjà importés."
            )
            % {"file": name, "line": line, "cd_ref": value}
        )
    return problems


def load_table_merge(*, cursor, fields: tuple[str, ...], version: str) -> MergeCounts:
    """Insert new taxa and update changed ones from the load table; returns the counts."""
    table = Taxon._meta.db_table
    columns = _columns(fields)
    version_column = _column("taxref_version")
    cd_nom = _column("cd_nom")
    compared = ", ".join(columns + [version_column])
    cursor.execute(f"SELECT count(*) FROM {table}")
    existing = cursor.fetchone()[0]
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
    estimate = cursor.fetchone()[0]
    # The joins below are planned from the table's statistics. Right after a first load or a
    # TRUNCATE they may say "empty" for 700,000 rows, and a nested loop would then rescan it.
    if estimate < 0 or abs(estimate - existing) > 0.2 * existing + 1000:
        cursor.execute(f"ANALYZE {table}")
    # Unchanged rows leave the load table first: they then cost no write, no index update and
    # no dead tuple, which makes re-importing the same release cheap.
    cursor.execute(
        f"DELETE FROM {LOAD_TABLE} AS l USING {table} AS t"
        f" WHERE t.{cd_nom} = l.{cd_nom}"
        f" AND ({', '.join(f't.{c}' for c in columns + [version_column])})"
        f" IS NOT DISTINCT FROM ({', '.join(f'l.{c}' for c in columns)}, %s)",
        [version],
    )
    unchanged = cursor.rowcount
    cursor.execute(f"SELECT count(*) FROM {LOAD_TABLE}")
    to_write = cursor.fetchone()[0]
    rebuild = to_write >= REBUILD_MIN_ROWS and to_write > REBUILD_RATIO * existing
    dropped = _secondary_objects_drop(cursor=cursor, table=table) if rebuild else []
    # One UPDATE … FROM joins the whole load table at once: 13.9 s for 700,000 changed rows
    # where INSERT … ON CONFLICT DO UPDATE, arbitrating row by row, took 17.4 s.
    updates = ", ".join(f"{c} = l.{c}" for c in columns if c != cd_nom)
    cursor.execute(
        f"UPDATE {table} AS t SET {updates}, {version_column} = %s"
        f" FROM {LOAD_TABLE} AS l WHERE t.{cd_nom} = l.{cd_nom}",
        [version],
    )
    updated = cursor.rowcount
    cursor.execute(
        # The rows just updated are skipped by the primary key. Not an anti-join: on a table
        # the planner believes empty (first import) it can pick a nested loop that re-reads
        # every page this very INSERT adds, which is quadratic.
        f"INSERT INTO {table} ({compared}) SELECT {', '.join(columns)}, %s"
        f" FROM {LOAD_TABLE} ON CONFLICT ({cd_nom}) DO NOTHING",
        [version],
    )
    created = cursor.rowcount
    if rebuild:
        _secondary_objects_create(cursor=cursor, table=table, dropped=dropped)
        cursor.execute(f"ANALYZE {table}")
    cursor.execute(f"DROP TABLE {LOAD_TABLE}")
    return MergeCounts(
        created=created, updated=updated, unchanged=unchanged, index_rebuilt=rebuild
    )


def _secondary_objects_drop(*, cursor, table: str) -> list[tuple[str, str, str]]:
    """Drop the table's foreign keys and the indexes that back no constraint.

    Returns (kind, name, definition) to build them again. Read from the catalogue rather than
    the model, so an index added by a later migration is handled too and the definitions are
    exactly the ones in place. Without its foreign keys the merge queues no deferred trigger
    per row (a pending trigger would also forbid CREATE INDEX in this transaction); adding
    them back checks every row in one join."""
    cursor.execute(
        "SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'f'"
        " UNION ALL"
        " SELECT 'index', i.relname, pg_get_indexdef(i.oid) FROM pg_index AS x"
        " JOIN pg_class AS i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT FROM pg_constraint AS c WHERE c.conindid = x.indexrelid)"
        " ORDER BY 1, 2",
        [table, table],
    )
    dropped = cursor.fetchall()
    for kind, name, _definition in dropped:
        if kind == "constraint":
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        else:
            cursor.execute(f'DROP INDEX "{name}"')
    return dropped


def _secondary_objects_create(
    *, cursor, table: str, dropped: list[tuple[str, str, str]]
) -> None:
    cursor.execute(
        "SELECT setting::bigint * 1024 FROM pg_settings"
        " WHERE name = 'maintenance_work_mem'"
    )
    # A trigram GIN index builds several times faster with room to sort in memory; never lower
    # a larger server setting.
    if cursor.fetchone()[0] < 256 * 1024 * 1024:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for kind, name, definition in dropped:
        if kind == "constraint":
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        else:
            cursor.execute(definition)

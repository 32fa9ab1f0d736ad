"""The session's staging table and the checks that need the whole file or the database.

Rows reach the staging table by COPY as they are read; then a few set-based queries find what
no single row shows: unknown taxa, places outside the territory, identifiers repeated in the file
or used by another dataset, rows someone else owns. Observers and determiners are kept as
the file writes them and linked to the one person their name designates, if any. Only table names from
the models' metadata and the staging table's own name are written into the SQL.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from cpie_naturaliste.core.geo import territory_polygon
from cpie_naturaliste.core.tabular.cells import header_key
from observations.models import Occurrence
from observations.services.derived import places_sql
from referentiel.models import Person, Taxon

from .rows import STAGING


def _is_occurrence_id(header: str | None) -> bool:
    return bool(header) and header_key(header) == "occurrenceid"


TABLE = "observations_import_rows"
# Each chunk is COPY'd here first, then moved into TABLE with its places (below).
CHUNK = "observations_import_chunk"
OCC = Occurrence._meta.db_table
# Computed as each chunk reaches TABLE: the places of its geometry (``places_sql``),
# which the INSERT of the occurrences then reads instead of computing them.
PLACES = (
    ("main", "varchar"),
    ("dep", "varchar"),
    ("codes", "varchar[]"),
    ("grid", "varchar"),
)
# Filled after COPY: the occurrence a row would update, and the determiner's person.
EXTRA = (
    ("existing_id", "bigint"),
    ("existing_dataset", "bigint"),
    ("existing_owner", "bigint"),
    ("existing_validated", "boolean"),
    ("determiner_id", "bigint"),
)
# Every way a file writes a person ("NOM Prénom", "Prénom NOM", a lone name), lower-cased,
# with the person it designates when it designates only one: a name two people share, or
# that reads one person's "NOM Prénom" and another's "Prénom NOM", links no one.
_PERSON = Person._meta.db_table
PEOPLE_SQL = (
    f"SELECT name, min(id) AS id FROM ("
    f"SELECT lower(btrim(last_name || ' ' || first_name)) AS name, id FROM {_PERSON}"
    f" UNION SELECT lower(btrim(first_name || ' ' || last_name)), id FROM {_PERSON}"
    f") AS names GROUP BY name HAVING count(DISTINCT id) = 1"
)
LABEL_NAME_SQL = "lower(btrim(regexp_replace({label}, '\\s*\\(.*\\)\\s*$', '')))"


def staging_create(*, cursor) -> None:
    """A fresh staging table for this session (kept across the COPY transactions), and
    the table each chunk is COPY'd into."""
    columns = ", ".join(f"{name} {kind}" for name, kind in (*STAGING, *PLACES, *EXTRA))
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TABLE}, pg_temp.{CHUNK}")
    cursor.execute(f"CREATE TEMP TABLE {TABLE} ({columns})")
    chunk = ", ".join(f"{name} {kind}" for name, kind in STAGING)
    cursor.execute(f"CREATE TEMP TABLE {CHUNK} ({chunk})")


def staging_drop(*, cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TABLE}, pg_temp.{CHUNK}")


def copy_statement() -> str:
    return f"COPY {CHUNK} ({', '.join(name for name, _k in STAGING)}) FROM STDIN"


def chunk_absorb_sql() -> str:
    """Move the COPY'd chunk into the staging table: geometries in Lambert-93 (the
    territory, the derived fields and the occurrence table all use it) and their places
    computed, which is most of the derived fields' cost. The import runs it while it
    reads the next chunk of the file: the server and the reader work at the same time."""
    names = [name for name, _kind in STAGING]
    chosen = ", ".join(
        f"ST_Transform(geom, {int(settings.SRID)}) AS geom" if name == "geom" else name
        for name in names
    )
    found = ", ".join(f"p.{name}" for name, _kind in PLACES)
    return (
        f"INSERT INTO {TABLE} ({', '.join(names)}, {', '.join(n for n, _k in PLACES)})"
        f" SELECT {', '.join('k.' + name for name in names)}, {found}"
        f" FROM (SELECT {chosen} FROM {CHUNK} OFFSET 0) k"
        f" LEFT JOIN LATERAL ({places_sql(geom='k.geom')}) p ON true;"
        f" TRUNCATE {CHUNK}"
    )


def check_errors(cursor, sql: str, params: list, limit: int) -> tuple[list[tuple], int]:
    """Rows of a check query (first ``limit``) and how many there are in all."""
    cursor.execute(f"SELECT count(*) FROM ({sql}) AS found", params)
    total = cursor.fetchone()[0]
    if not total:
        return [], 0
    cursor.execute(f"{sql} ORDER BY 1 LIMIT %s", [*params, limit])
    return cursor.fetchall(), total


def staging_prepare(*, cursor, dataset_id: int) -> None:
    """Link rows to the occurrences they would update (same idSINPOccTax anywhere, or
    same source key in this dataset) and determiners to their person. The geometries are
    in Lambert-93 already (``chunk_absorb_sql``)."""
    # The statistics the joins below and the checks need: not the geometries' (costly).
    cursor.execute(f"ANALYZE {TABLE} (line, uuid, source_key, taxon_id)")
    set_existing = (
        "existing_id = o.id, existing_dataset = o.dataset_id,"
        " existing_owner = o.created_by_id,"
        " existing_validated = o.validation_status <> 0"
    )
    cursor.execute(
        f"UPDATE {TABLE} s SET {set_existing} FROM {OCC} o"
        f" WHERE s.uuid IS NOT NULL AND o.uuid = s.uuid"
    )
    cursor.execute(
        f"UPDATE {TABLE} s SET {set_existing} FROM {OCC} o"
        f" WHERE s.uuid IS NULL AND s.source_key <> '' AND o.dataset_id = %s"
        f" AND o.source_key = s.source_key",
        [dataset_id],
    )
    cursor.execute(
        f"UPDATE {TABLE} s SET determiner_id = p.id FROM ({PEOPLE_SQL}) p"
        f" WHERE s.determiner_label <> ''"
        f" AND p.name = {LABEL_NAME_SQL.format(label='s.determiner_label')}"
    )


def staging_check(
    *, cursor, dataset_id: int, columns: dict, limit: int
) -> list[tuple[list[dict], int]]:
    """Every set-based problem as ([{line, column, message}], total) groups.

    ``columns`` is the mapping's target → header, to name the column of each problem."""
    groups = []
    for sql, params, column, message in _checks(dataset_id, columns):
        rows, total = check_errors(cursor, sql, params, limit)
        entries = [
            {"line": row[0], "column": column or "", "message": str(message(row))}
            for row in rows
        ]
        groups.append((entries, total))
    return groups


def staging_keep_valid(
    *, cursor, dataset_id: int, columns: dict, also=()
) -> tuple[int, list[int]]:
    """The valid-lines mode: remove from the staging table every line a row check
    refused (no source key) or a set-based check flags (and those of ``also``: more
    (sql, params) checks), run in the same order as ``staging_check`` so that a line
    is judged on the lines kept before it. Returns the lines kept and those removed."""
    cursor.execute(f"DELETE FROM {TABLE} WHERE source_key IS NULL RETURNING line")
    refused = [row[0] for row in cursor.fetchall()]
    checks = [(sql, params) for sql, params, _c, _m in _checks(dataset_id, columns)]
    for sql, params in (*checks, *also):
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE line IN (SELECT f.l FROM ({sql}) AS f(l))"
            f" RETURNING line",
            params,
        )
        refused += [row[0] for row in cursor.fetchall()]
    cursor.execute(f"SELECT count(*) FROM {TABLE}")
    return cursor.fetchone()[0], sorted(refused)


def _checks(dataset_id: int, columns: dict) -> list[tuple]:
    """The set-based checks: (SQL selecting the line first, its parameters, the column
    named, the message of a row)."""
    col = columns.get
    geom_column = col("geometrie") or " / ".join(
        filter(None, [col("longitude"), col("latitude")])
    )
    geom_column = geom_column or " / ".join(filter(None, [col("x"), col("y")]))
    territory = territory_polygon().ewkt
    checks = [
        (
            f"SELECT line, taxon_id FROM {TABLE} s WHERE taxon_id IS NOT NULL AND NOT"
            f" EXISTS (SELECT 1 FROM {Taxon._meta.db_table} t"
            f" WHERE t.cd_nom = s.taxon_id)",
            [],
            col("cdNom"),
            lambda r: _("taxon inconnu : cd_nom %s absent de TAXREF.") % r[1],
        ),
        (
            f"SELECT line, round(ST_X(p)::numeric, 5), round(ST_Y(p)::numeric, 5)"
            f" FROM (SELECT line, ST_Transform(ST_PointOnSurface(geom), 4326) AS p"
            f" FROM {TABLE} WHERE geom IS NOT NULL"
            f" AND NOT ST_CoveredBy(geom, ST_GeomFromEWKT(%s))) AS outside",
            [territory],
            geom_column,
            lambda r: (
                _(
                    "localisation hors du territoire (Hauts-de-France et ses abords) : "
                    "longitude %(lon)s, latitude %(lat)s."
                )
                % {"lon": r[1], "lat": r[2]}
            ),
        ),
        (
            f"SELECT line FROM {TABLE} WHERE existing_dataset <> %s",
            [dataset_id],
            col("idSINPOccTax"),
            lambda r: _("identifiant déjà utilisé par un autre jeu de données."),
        ),
        (
            f"SELECT s.line, first.line FROM {TABLE} s JOIN (SELECT uuid,"
            f" min(line) AS line FROM {TABLE} WHERE uuid IS NOT NULL GROUP BY uuid"
            f" HAVING count(*) > 1) first ON first.uuid = s.uuid"
            f" WHERE s.line > first.line",
            [],
            col("idSINPOccTax"),
            lambda r: _("identifiant en double : déjà présent ligne %d.") % r[1],
        ),
        (
            f"SELECT s.line, first.line FROM {TABLE} s JOIN (SELECT source_key,"
            f" min(line) AS line FROM {TABLE} WHERE uuid IS NULL AND source_key <> ''"
            f" GROUP BY source_key HAVING count(*) > 1) first"
            f" ON first.source_key = s.source_key WHERE s.line > first.line",
            [],
            # A Darwin Core occurrenceID that is no UUID is the origin id.
            col("idOrigine")
            or (col("idSINPOccTax") if _is_occurrence_id(col("idSINPOccTax")) else ""),
            lambda r: _("ligne en double : identique à la ligne %d.") % r[1],
        ),
    ]
    return checks

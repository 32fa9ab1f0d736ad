"""Fields derived from the geometry and the taxon, computed in SQL for one record or a million.

communes (every commune the geometry touches, the main one first; main commune = the one holding
the point on surface), its département, the 10 km INPN grid cell of that point, the atlas group of
the taxon, and the SINP sensitivity with its diffusion level (sensitivity 0 → 5 "précise",
1–4 → same level, as GeoNature does). The sensitivity is the highest of the taxon's regional
status level and of the levels of the active sensitivity rules matching the record (taxon or
an ancestor, département, period of the year, age, biological status and behaviour).

One SQL fragment (``derived_join_sql``) serves both paths: ``occurrences_refresh_derived`` (after
a save, or over the whole table) and the bulk import, which computes the same values inside its
INSERT instead of rewriting every imported row a second time (13.5 s of a 33 s import of 100,000
rows, bench/import_occurrences.py).

One spatial lookup per point instead of three: for a point, "communes touching the geometry"
and "communes holding the point on surface" are the same set, so when it has one element that
element is the main commune. Boundaries and other geometries take the full lookups.
"""

from django.conf import settings
from django.db import connection, transaction

from cpie_naturaliste.core.geo import territory_polygon
from observations.models import Occurrence, OccurrenceDeletion
from referentiel.models import (
    Commune,
    Departement,
    SensitivityRule,
    Taxon,
    TaxonStatus,
)
from referentiel.services.sensitivity import sensitivity_rules_refresh_taxa

COMMUNE = Commune._meta.db_table
DEPARTEMENT = Departement._meta.db_table
STATUS = TaxonStatus._meta.db_table
RULE = SensitivityRule._meta.db_table
# SINP codes "0" (inconnu) and "1" (non renseigné) of STATUT_BIO and OCC_COMPORTEMENT: a rule
# with criteria matches them too (GeoNature's precaution).
UNKNOWN_CODES = "('0', '1')"
# Occurrence column → expression over the lateral subquery below (alias d) and the taxon (t).
DERIVED = {
    "communes": "d.codes",
    "commune_id": "d.main",
    "departement_id": "d.dep",
    "grid_10km": "d.grid",
    "atlas_group_id": "t.atlas_group_id",
    "sensitivity_level": "d.sens",
    "diffusion_level": "CASE WHEN d.sens = 0 THEN 5 ELSE d.sens END",
}


def blurred_geom_sql(*, level: str, commune: str, grid: str, dep: str) -> str:
    """The geometry a reader without clearance sees (observations.blurring): the commune's
    simplified contour (level 1; its 10 km cell when outside every commune, which is
    coarser), the 10 km cell (2), the département's simplified contour (3; the whole
    territory when outside every département); NULL for levels 0 and 4."""
    cell = (
        f"CASE WHEN {grid} <> '' THEN ST_MakeEnvelope("
        f"substr({grid}, 9, 3)::int * 10000, substr({grid}, 13, 3)::int * 10000,"
        f" substr({grid}, 9, 3)::int * 10000 + 10000,"
        f" substr({grid}, 13, 3)::int * 10000 + 10000, {settings.SRID}) END"
    )
    territory = f"ST_GeomFromText('{territory_polygon().wkt}', {settings.SRID})"
    return (
        f"CASE {level}"
        f" WHEN 1 THEN COALESCE((SELECT COALESCE(c.blur_geom, c.geom) FROM {COMMUNE} c"
        f" WHERE c.insee = {commune}), {cell})"
        f" WHEN 2 THEN {cell}"
        f" WHEN 3 THEN COALESCE((SELECT COALESCE(dp.blur_geom, dp.geom)"
        f" FROM {DEPARTEMENT} dp WHERE dp.code = {dep}), {territory})"
        f" END"
    )


DERIVED["blurred_geom"] = blurred_geom_sql(
    level="d.sens", commune="d.main", grid="d.grid", dep="d.dep"
)


def rules_level_sql(*, row: str, taxon: str, dep: str) -> str:
    """Highest level of the active sensitivity rules matching the occurrence row ``row``
    (date_start, bio_status, behaviour), the taxon row ``taxon`` and the département ``dep``;
    NULL when none matches.

    A period (MMDD) whose start comes after its end spans 31 December."""
    mmdd = (
        f"(extract(month FROM {row}.date_start) * 100"
        f" + extract(day FROM {row}.date_start))::int"
    )
    start, end = (
        "(r.start_month * 100 + r.start_day)",
        "(r.end_month * 100 + r.end_day)",
    )
    return (
        f"(SELECT max(r.level) FROM {RULE} r"
        f" WHERE r.is_active AND r.taxon_refs @> ARRAY[{taxon}.cd_ref]"
        f" AND (r.departement_id IS NULL OR r.departement_id = {dep})"
        f" AND (r.start_month IS NULL OR CASE WHEN {start} <= {end}"
        f" THEN {mmdd} BETWEEN {start} AND {end}"
        f" ELSE {mmdd} >= {start} OR {mmdd} <= {end} END)"
        f" AND (r.duration_years IS NULL OR extract(year FROM now())::int"
        f" - r.duration_years <= extract(year FROM {row}.date_start)::int)"
        f" AND (cardinality(r.bio_statuses) = 0 OR {row}.bio_status IN {UNKNOWN_CODES}"
        f" OR {row}.bio_status = ANY(r.bio_statuses))"
        f" AND (cardinality(r.behaviours) = 0 OR {row}.behaviour IN {UNKNOWN_CODES}"
        f" OR {row}.behaviour = ANY(r.behaviours)))"
    )


def sensitivity_sql(*, row: str, taxon: str, dep: str) -> str:
    """The SINP sensitivity level (0–4) of occurrence ``row``: the highest of its taxon's
    regional status level and of the matching rules' levels, 0 when nothing applies."""
    status = (
        f"(SELECT max(st.sensitivity_level) FROM {STATUS} st"
        f" WHERE st.taxon_id IN ({taxon}.cd_nom, {taxon}.cd_ref))"
    )
    rules = rules_level_sql(row=row, taxon=taxon, dep=dep)
    return f"COALESCE(GREATEST({status}, {rules}), 0)"


PLACES = ("main", "dep", "codes", "grid")


def places_sql(*, geom: str) -> str:
    """A subquery giving the places of the geometry ``geom`` (Lambert-93): its main
    commune, that commune's département, every commune it touches (the main one first)
    and its 10 km grid cell, as the columns of ``PLACES``. The bulk import computes it
    ahead, chunk by chunk while it reads the file (``observations.imports.staging``)."""
    lookup = f"SELECT array_agg(c.insee) FROM {COMMUNE} c WHERE ST_Intersects(c.geom, {geom})"
    main = (
        f"CASE WHEN h.single THEN h.hits[1] ELSE (SELECT c.insee FROM {COMMUNE} c"
        f" WHERE ST_Intersects(c.geom, h.p) LIMIT 1) END"
    )
    codes = (
        "CASE WHEN m.single OR m.hits IS NULL THEN COALESCE(m.hits, '{}')"
        " ELSE ARRAY(SELECT code FROM unnest(m.hits) AS code"
        " ORDER BY code <> m.main, code) END"
    )
    grid = (
        "'10kmL93E' || lpad(floor(ST_X(m.p) / 10000)::int::text, 3, '0')"
        " || 'N' || lpad(floor(ST_Y(m.p) / 10000)::int::text, 3, '0')"
    )
    # OFFSET 0 keeps the planner from inlining the subqueries, which would repeat the
    # spatial lookups once per use of their result.
    return (
        f"SELECT m.main, (SELECT c.departement_id FROM {COMMUNE} c"
        f" WHERE c.insee = m.main) AS dep, {codes} AS codes, {grid} AS grid"
        f" FROM (SELECT h.p, h.hits, h.single, {main} AS main"
        f" FROM (SELECT x.p, x.hits,"
        f" x.is_point AND COALESCE(cardinality(x.hits) = 1, false) AS single"
        f" FROM (SELECT ST_PointOnSurface({geom}) AS p,"
        f" GeometryType({geom}) = 'POINT' AS is_point, ({lookup}) AS hits OFFSET 0) x"
        f") h OFFSET 0) m"
    )


def derived_join_sql(
    *, geom: str, taxon: str, row: str, places: str | None = None
) -> str:
    """A LEFT JOIN LATERAL (alias d) computing the derived values of the geometry ``geom``
    (Lambert-93), the taxon row ``taxon`` and the occurrence row ``row`` (its date and
    codes, for the sensitivity rules). ``places``: the alias of a row that already holds
    the ``places_sql`` values of ``geom``, read instead of computed."""
    found = (
        places_sql(geom=geom)
        if places is None
        else "SELECT " + ", ".join(f"{places}.{column}" for column in PLACES)
    )
    return (
        f" LEFT JOIN LATERAL (SELECT e.*,"
        f" {sensitivity_sql(row=row, taxon=taxon, dep='e.dep')} AS sens"
        f" FROM ({found} OFFSET 0) e) d ON true"
    )


# Derived columns a consumer reads, compared to tell whether a refresh changed a record
# (the blurred geometry follows from them).
COMPARED = ("communes", "commune_id", "departement_id", "grid_10km", "atlas_group_id")


def _hidden_tombstones_sql(changed: str) -> str:
    """INSERT the "withdrawn" tombstones of the rows of CTE ``changed`` (columns: the
    record's uuid, taxon_id, date_start, its read state before the change, with the old
    level as ``old`` and the new as ``new``) that a new level 4 hides from the readers
    who may not place them (``observations.services.occurrences.occurrences_tombstone``)."""
    tomb = OccurrenceDeletion._meta.db_table
    return (
        f"INSERT INTO {tomb} (uuid, taxon_id, date_start, dataset_id, created_by_id,"
        f" validation_status, sensitivity_level, reason, deleted_at)"
        f" SELECT uuid, taxon_id, date_start, dataset_id, created_by_id,"
        f" validation_status, old, '{OccurrenceDeletion.Reason.WITHDRAWN.value}',"
        f" statement_timestamp()"
        f" FROM {changed} WHERE new = 4 AND old < 4"
    )


def _refresh(
    where: str, params: list, *, tombstones: bool, returning: tuple[str, ...] = ()
) -> int | list[tuple]:
    """Rewrite the derived columns; a row whose derived values change is modified now
    (``updated_at``: the sync API lists it again), and with ``tombstones`` one that a new
    level 4 hides leaves a tombstone for the readers who lose it. Not after a service's
    write of given rows: a new row was never read at its default level 0 (a tombstone
    would name a hidden record to readers who never saw it), and ``occurrence_update``
    compares the read state itself. With ``returning`` (column names), the rows' new
    values of those columns instead of the count."""
    occ, taxon = Occurrence._meta.db_table, Taxon._meta.db_table
    assignments = ", ".join(f"{column} = {expr}" for column, expr in DERIVED.items())
    old = ", ".join(f"o.{c}" for c in (*COMPARED, "sensitivity_level"))
    new = ", ".join(DERIVED[c] for c in (*COMPARED, "sensitivity_level"))
    hidden = f", hidden AS ({_hidden_tombstones_sql('changed')})" if tombstones else ""
    sql = (
        f"WITH changed AS (UPDATE {occ} o SET {assignments},"
        f" updated_at = CASE WHEN ROW({old}) IS DISTINCT FROM ROW({new})"
        f" THEN statement_timestamp() ELSE o.updated_at END"
        f" FROM {occ} src JOIN {taxon} t ON t.cd_nom = src.taxon_id"
        f"{derived_join_sql(geom='src.geom', taxon='t', row='src')}"
        f" WHERE src.id = o.id AND {where}"
        f" RETURNING src.uuid, src.taxon_id, src.date_start, src.dataset_id,"
        f" src.created_by_id, src.validation_status, src.sensitivity_level AS old,"
        f" o.sensitivity_level AS new"
        + "".join(f", o.{column} AS new_{column}" for column in returning)
        + f"){hidden}"
        + (
            " SELECT " + ", ".join(f"new_{column}" for column in returning)
            if returning
            else " SELECT count(*)"
        )
        + " FROM changed"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else cursor.fetchone()[0]


# What one saved record gets back from its refresh (the blurred geometry is not read back:
# left deferred on the instance, it is loaded if something reads it).
RETURNED = (*(column for column in DERIVED if column != "blurred_geom"), "updated_at")


def occurrence_refresh_derived(occurrence: Occurrence) -> None:
    """Recompute the derived fields of one saved record and set them on the instance:
    one ``UPDATE … RETURNING``, not an update and a reload."""
    (row,) = _refresh(
        "src.id = %s", [occurrence.pk], tombstones=False, returning=RETURNED
    )
    for column, value in zip(RETURNED, row, strict=True):
        setattr(occurrence, column, value)
    occurrence.__dict__.pop("blurred_geom", None)


def occurrences_refresh_derived(
    *, ids: list[int] | None = None, batch_id: int | None = None
) -> int:
    """Recompute the derived fields of the given occurrences, of an import batch, or of all."""
    if ids is not None:
        if not ids:
            return 0
        return _refresh("src.id = ANY(%s)", [list(ids)], tombstones=False)
    if batch_id is not None:
        return _refresh("src.import_batch_id = %s", [batch_id], tombstones=True)
    return _refresh("TRUE", [], tombstones=True)


def occurrences_refresh_sensitivity() -> dict[tuple[int, int], int]:
    """Re-expand the sensitivity rules' taxa, recompute every occurrence's sensitivity and
    diffusion level (the other derived fields do not depend on the rules), rewriting only the
    rows whose level changes; returns {(old level, new level): count}."""
    occ, taxon = Occurrence._meta.db_table, Taxon._meta.db_table
    sens = sensitivity_sql(row="src", taxon="t", dep="src.departement_id")
    blurred = blurred_geom_sql(
        level="l.new",
        commune="o.commune_id",
        grid="o.grid_10km",
        dep="o.departement_id",
    )
    # Only a record whose taxon has a regional status or an active rule can be sensitive:
    # the levels are computed for those and for the records sensitive today, the others
    # (most of the table) stay at 0 without evaluating the rules row by row (at 10 M
    # rows, bench/RESULTS.md section exports_10m).
    candidates = (
        f"SELECT tc.cd_nom FROM {taxon} tc WHERE tc.cd_ref IN ("
        f"SELECT unnest(r.taxon_refs) FROM {RULE} r WHERE r.is_active)"
        f" OR tc.cd_nom IN (SELECT st.taxon_id FROM {STATUS} st WHERE st.sensitivity_level > 0)"
        f" OR tc.cd_ref IN (SELECT st.taxon_id FROM {STATUS} st WHERE st.sensitivity_level > 0)"
    )
    # The levels are computed once into a temporary table holding only the rows whose
    # level changes, which the UPDATE then joins: written as a CTE, the planner inlined
    # it and put the level's subqueries (regional status, rules) in every place that read
    # it (about six evaluations per changed row), and joined a second scan of the whole
    # table to the first; analysed, the table tells the planner how few rows change
    # (issue 21).
    levels = "observations_sensitivity_levels"
    with transaction.atomic():
        sensitivity_rules_refresh_taxa()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{levels}")
            cursor.execute(
                f"CREATE TEMP TABLE {levels} ON COMMIT DROP AS"
                f" SELECT id, old, new FROM ("
                f"SELECT src.id, src.sensitivity_level AS old, {sens} AS new"
                f" FROM {occ} src JOIN {taxon} t ON t.cd_nom = src.taxon_id"
                f" WHERE src.sensitivity_level <> 0 OR src.taxon_id IN ({candidates})"
                f" OFFSET 0) computed WHERE old <> new ORDER BY id"
            )
            cursor.execute(f"ANALYZE {levels}")
            cursor.execute(
                f"WITH changed AS (UPDATE {occ} o SET sensitivity_level = l.new,"
                f" diffusion_level = CASE WHEN l.new = 0 THEN 5 ELSE l.new END,"
                f" blurred_geom = {blurred}, updated_at = statement_timestamp()"
                f" FROM {levels} l WHERE o.id = l.id"
                f" RETURNING o.uuid, o.taxon_id, o.date_start, o.dataset_id,"
                f" o.created_by_id, o.validation_status, l.old, l.new),"
                f" hidden AS ({_hidden_tombstones_sql('changed')})"
                f" SELECT old, new, count(*) FROM changed GROUP BY 1, 2 ORDER BY 1, 2"
            )
            return {(old, new): count for old, new, count in cursor.fetchall()}

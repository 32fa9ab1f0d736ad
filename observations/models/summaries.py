"""Summaries of the occurrences, kept exact by triggers: what the atlas table and the map's
large cells read at 10,000,000 records instead of grouping the records themselves.

- ``AtlasCount``: presences per year, dataset and taxon. The atlas table of a year
  (observations.atlas) groups the year's presences by atlas group and taxon; at 10 M records
  a year holds about 650,000 of them.
- ``CellCount``: records per 10 km cell, dataset and sensitivity. The map's cells of 10 km
  and more (observations.selectors, the region-wide layer and the low zooms of the vector
  tiles) counted every record of the view from an index.
- ``FineCellCount``: the same per 1 km cell, for the cells of 1 to 5 km of the vector
  tiles of zooms 10 to 12, which grouped every record of a tile by its geometry (a tile
  around a town holds hundreds of thousands of records at 10 M).

Each holds its counts grouped by what the reading groups by and by what decides who reads a
record and where it is shown (``visible_to`` and observations.blurring): the dataset, the
sensitivity level (or, for the atlas, whether it is 4, the level dropped for a reader who
may not read it precisely) and, for a sensitive record, its author.

They are kept by statement triggers on ``observations_occurrence`` (migration observations
0021, :func:`summaries_sql`): every INSERT, UPDATE, DELETE, COPY or TRUNCATE adds or
removes its rows' counts, grouped, in the same transaction (transition tables: one
grouped upsert per statement, whatever its number of rows). A bulk load that disables
the triggers (:data:`TRIGGERS`) counts them again with :func:`summaries_rebuild`.
"""

from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Q

OCCURRENCE_TABLE = "observations_occurrence"


class AtlasCount(models.Model):
    """Presences (``observation_status = "Pr"``) of a year, dataset and taxon; level-4
    records apart, with their author (``hidden``, ``created_by_id``)."""

    year = models.SmallIntegerField()
    dataset_id = models.BigIntegerField()
    taxon_id = models.IntegerField()
    atlas_group_id = models.BigIntegerField(null=True)
    hidden = models.BooleanField()
    created_by_id = models.BigIntegerField(null=True)
    records = models.BigIntegerField()

    class Meta:
        verbose_name = "décompte d'atlas"
        verbose_name_plural = "décomptes d'atlas"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "year",
                    "dataset_id",
                    "taxon_id",
                    "atlas_group_id",
                    "hidden",
                    "created_by_id",
                ],
                nulls_distinct=False,
                include=["records"],
                name="atlas_count_key",
            )
        ]
        indexes = [
            # The keys a statement emptied, removed after it (a handful of rows).
            models.Index(
                fields=["id"], condition=Q(records=0), name="atlas_count_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} – jeu {self.dataset_id} – taxon {self.taxon_id} : {self.records}"


class CellCount(models.Model):
    """Records of a 10 km cell (``grid_10km``), dataset and sensitivity level; a blurred
    record (levels 1 and 3) with the cell of its blurred area (``blurred_cell``, where a
    reader who does not read it precisely sees it) and its author."""

    grid_10km = models.CharField(max_length=20)
    blurred_cell = models.CharField(max_length=20)
    sensitivity_level = models.SmallIntegerField()
    dataset_id = models.BigIntegerField()
    created_by_id = models.BigIntegerField(null=True)
    records = models.BigIntegerField()

    class Meta:
        verbose_name = "décompte par maille"
        verbose_name_plural = "décomptes par maille"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "grid_10km",
                    "blurred_cell",
                    "sensitivity_level",
                    "dataset_id",
                    "created_by_id",
                ],
                nulls_distinct=False,
                include=["records"],
                name="cell_count_key",
            )
        ]
        indexes = [
            models.Index(fields=["id"], condition=Q(records=0), name="cell_count_empty")
        ]

    def __str__(self) -> str:
        return f"{self.grid_10km} – jeu {self.dataset_id} : {self.records}"


class FineCellCount(models.Model):
    """Records of a 1 km Lambert-93 cell (``i``, ``j``: the point on surface's x and y
    divided by 1,000), dataset and sensitivity level; a blurred record (levels 1 to 3)
    with the 1 km cell of its blurred area's point on surface (``bi``, ``bj``) and its
    author. Cells of 1, 2 and 5 km (the vector tiles of zooms 10 to 12) group them."""

    i = models.IntegerField()
    j = models.IntegerField()
    bi = models.IntegerField(null=True)
    bj = models.IntegerField(null=True)
    sensitivity_level = models.SmallIntegerField()
    dataset_id = models.BigIntegerField()
    created_by_id = models.BigIntegerField(null=True)
    records = models.BigIntegerField()

    class Meta:
        verbose_name = "décompte par maille de 1 km"
        verbose_name_plural = "décomptes par maille de 1 km"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "i",
                    "j",
                    "bi",
                    "bj",
                    "sensitivity_level",
                    "dataset_id",
                    "created_by_id",
                ],
                nulls_distinct=False,
                include=["records"],
                name="fine_cell_count_key",
            )
        ]
        indexes = [
            # The blurred records of a box, by their area's cell, read from the index
            # alone (observations.selectors.summary_fine_cells).
            models.Index(
                fields=["bi", "bj"],
                include=["sensitivity_level", "dataset_id", "created_by_id", "records"],
                condition=Q(bi__isnull=False),
                name="fine_cell_count_blurred",
            ),
            models.Index(
                fields=["id"], condition=Q(records=0), name="fine_cell_count_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.i}/{self.j} – jeu {self.dataset_id} : {self.records}"


def _grid_code(point: str) -> str:
    """The INPN 10 km code of ``point`` (a point on surface, as GridCode)."""
    return (
        f"'10kmL93E' || lpad(floor(ST_X({point}) / 10000)::int::text,"
        f" 3, '0') || 'N' || lpad(floor(ST_Y({point}) / 10000)"
        "::int::text, 3, '0')"
    )


@dataclass(frozen=True)
class Summary:
    """A summary table: its key columns and the grouped query of a set of records."""

    name: str
    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # SQL over a record (and ``points``), one per key column
    where: str = "TRUE"
    # Points on surface the columns read (alias → SQL over a record), computed once per
    # record: a blurred area's contour (a département: 139 points on average) costs
    # tens of microseconds each time, and the columns read each point twice (x and y).
    points: tuple[tuple[str, str], ...] = ()

    def grouped(self, rows: str, sign: str = "1") -> str:
        """The records of ``rows`` (a table or transition table) grouped by the key, each
        count multiplied by ``sign``."""
        selected = ", ".join(
            f"{column} AS {name}"
            for name, column in zip(self.key, self.columns, strict=True)
        )
        groups = ", ".join(str(i + 1) for i in range(len(self.key)))
        source, where = rows, self.where
        if self.points:
            # OFFSET 0: not pulled up, so each point is computed once, not once per use.
            points = ", ".join(f"{sql} AS {alias}" for alias, sql in self.points)
            source = f"(SELECT r.*, {points} FROM {rows} r WHERE {where} OFFSET 0) r"
            where = "TRUE"
        return (
            f"SELECT {selected}, {sign} * count(*) AS records FROM {source}"
            f" WHERE {where} GROUP BY {groups}"
        )

    def apply(self, delta: str) -> str:
        """Add the counts of ``delta`` to the table, in key order (two statements meet
        their common rows in the same order), and remove the keys left at zero."""
        key = ", ".join(self.key)
        return (
            f"INSERT INTO {self.table} ({key}, records)"
            f" SELECT {key}, sum(records) FROM ({delta}) d GROUP BY {key}"
            f" HAVING sum(records) <> 0 ORDER BY {key}"
            f" ON CONFLICT ({key}) DO UPDATE"
            f" SET records = {self.table}.records + EXCLUDED.records;"
            f" DELETE FROM {self.table} WHERE records = 0;"
        )

    def fill(self) -> str:
        key = ", ".join(self.key)
        return (
            f"INSERT INTO {self.table} ({key}, records)"
            f" SELECT * FROM ({self.grouped(OCCURRENCE_TABLE)}) g ORDER BY {key}"
        )

    def sql(self) -> tuple[str, str]:
        """The SQL that creates, and the SQL that drops, the triggers keeping it."""
        n = self.name
        # After a TRUNCATE the summary is emptied by DELETE: a TRUNCATE of both tables in
        # one statement (Django's flush between tests) may not TRUNCATE it again.
        inserted = self.apply(self.grouped("new_rows"))
        deleted = self.apply(self.grouped("old_rows", "-1"))
        updated = self.apply(
            f"{self.grouped('new_rows')} UNION ALL {self.grouped('old_rows', '-1')}"
        )
        create = f"""
CREATE FUNCTION {n}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {inserted} RETURN NULL; END $$;
CREATE FUNCTION {n}_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {deleted} RETURN NULL; END $$;
CREATE FUNCTION {n}_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {updated} RETURN NULL; END $$;
CREATE FUNCTION {n}_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM {self.table}; RETURN NULL; END $$;
CREATE TRIGGER {n}_insert AFTER INSERT ON {OCCURRENCE_TABLE}
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {n}_inserted();
CREATE TRIGGER {n}_update AFTER UPDATE ON {OCCURRENCE_TABLE}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {n}_updated();
CREATE TRIGGER {n}_delete AFTER DELETE ON {OCCURRENCE_TABLE}
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION {n}_deleted();
CREATE TRIGGER {n}_truncate AFTER TRUNCATE ON {OCCURRENCE_TABLE}
  FOR EACH STATEMENT EXECUTE FUNCTION {n}_truncated();
"""
        drop = "".join(
            f"DROP TRIGGER IF EXISTS {n}_{event} ON {OCCURRENCE_TABLE};"
            for event in ("insert", "update", "delete", "truncate")
        ) + "".join(
            f"DROP FUNCTION IF EXISTS {n}_{event}();"
            for event in ("inserted", "deleted", "updated", "truncated")
        )
        return create, drop

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(
            f"{self.name}_{event}"
            for event in ("insert", "update", "delete", "truncate")
        )


ATLAS = Summary(
    name="atlas_counts",
    table=AtlasCount._meta.db_table,
    key=("year", "dataset_id", "taxon_id", "atlas_group_id", "hidden", "created_by_id"),
    columns=(
        "extract(year FROM date_start)::smallint",
        "dataset_id",
        "taxon_id",
        "atlas_group_id",
        "sensitivity_level = 4",
        "CASE WHEN sensitivity_level = 4 THEN created_by_id END",
    ),
    where="observation_status = 'Pr'",
)
CELLS = Summary(
    name="cell_counts",
    table=CellCount._meta.db_table,
    key=(
        "grid_10km",
        "blurred_cell",
        "sensitivity_level",
        "dataset_id",
        "created_by_id",
    ),
    columns=(
        "grid_10km",
        "CASE WHEN sensitivity_level IN (1, 3) AND blurred_geom IS NOT NULL"
        f" THEN {_grid_code('blurred_point')} ELSE '' END",
        "sensitivity_level",
        "dataset_id",
        "CASE WHEN sensitivity_level > 0 THEN created_by_id END",
    ),
    points=(
        (
            "blurred_point",
            "CASE WHEN sensitivity_level IN (1, 3)"
            " THEN ST_PointOnSurface(blurred_geom) END",
        ),
    ),
)
_BLURRED = "sensitivity_level BETWEEN 1 AND 3 AND blurred_geom IS NOT NULL"
FINE_CELLS = Summary(
    name="fine_cell_counts",
    table=FineCellCount._meta.db_table,
    key=("i", "j", "bi", "bj", "sensitivity_level", "dataset_id", "created_by_id"),
    columns=(
        "floor(ST_X(point) / 1000)::int",
        "floor(ST_Y(point) / 1000)::int",
        f"CASE WHEN {_BLURRED} THEN floor(ST_X(blurred_point) / 1000)::int END",
        f"CASE WHEN {_BLURRED} THEN floor(ST_Y(blurred_point) / 1000)::int END",
        "sensitivity_level",
        "dataset_id",
        "CASE WHEN sensitivity_level > 0 THEN created_by_id END",
    ),
    points=(
        ("point", "ST_PointOnSurface(geom)"),
        (
            "blurred_point",
            f"CASE WHEN {_BLURRED} THEN ST_PointOnSurface(blurred_geom) END",
        ),
    ),
)
SUMMARIES = (ATLAS, CELLS, FINE_CELLS)
# The triggers a bulk load may disable (then summaries_rebuild).
TRIGGERS = tuple(trigger for summary in SUMMARIES for trigger in summary.triggers)


def summaries_sql(summaries=SUMMARIES) -> tuple[str, str]:
    """The SQL that creates, and the SQL that drops, the triggers of ``summaries``."""
    pairs = [summary.sql() for summary in summaries]
    return "".join(c for c, _ in pairs), "".join(d for _, d in pairs)


def summaries_fill_sql(summaries=SUMMARIES) -> str:
    return ";".join(summary.fill() for summary in summaries)


def summaries_rebuild() -> dict[str, int]:
    """Count the whole table again (after a bulk load run with the triggers disabled);
    the number of rows of each summary."""
    rows = {}
    with connection.cursor() as cursor:
        for summary in SUMMARIES:
            cursor.execute(f"DELETE FROM {summary.table}")
            cursor.execute(summary.fill())
            rows[summary.table] = cursor.rowcount
    return rows

"""Presences counted per year, dataset and taxon: the atlas table read from a summary.

The atlas table of a year (observations.atlas) groups the year's presences by atlas group
and taxon. At 10,000,000 records a year holds about 650,000 of them and grouping them took
over a second (bench/RESULTS.md, section occurrences_10m); this table holds the same counts
already grouped by what the atlas groups by and what decides who reads a record
(``visible_to``): its dataset, and for a record of sensitivity level 4 (dropped for a
reader who may not see it precisely) that level and its author.

It is kept exact by statement triggers on ``observations_occurrence`` (migration
observations 0021, :func:`atlas_counts_sql`): every INSERT, UPDATE, DELETE, COPY or
TRUNCATE adds or removes its rows' counts, grouped, in the same transaction. Bulk loads
that disable the triggers rebuild it with :func:`atlas_counts_rebuild`.
"""

from django.db import connection, models
from django.db.models import Q

OCCURRENCE_TABLE = "observations_occurrence"
TABLE = "observations_atlascount"
TRIGGERS = (
    "atlas_counts_insert",
    "atlas_counts_update",
    "atlas_counts_delete",
    "atlas_counts_truncate",
)


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


KEY = "year, dataset_id, taxon_id, atlas_group_id, hidden, created_by_id"


def _grouped(rows: str, sign: str) -> str:
    """The presences of the transition table ``rows`` grouped by the summary's key, each
    count multiplied by ``sign``."""
    return (
        "SELECT extract(year FROM date_start)::smallint AS year, dataset_id, taxon_id,"
        " atlas_group_id, sensitivity_level = 4 AS hidden,"
        " CASE WHEN sensitivity_level = 4 THEN created_by_id END AS created_by_id,"
        f" {sign} * count(*) AS records"
        f" FROM {rows} WHERE observation_status = 'Pr' GROUP BY 1, 2, 3, 4, 5, 6"
    )


def _apply(delta: str) -> str:
    """Add the counts of ``delta`` (a query of key columns and ``records``) to the table,
    in key order (two statements meet their common rows in the same order), and remove
    the keys left at zero."""
    return (
        f"INSERT INTO {TABLE} ({KEY}, records)"
        f" SELECT {KEY}, sum(records) FROM ({delta}) d GROUP BY {KEY}"
        f" HAVING sum(records) <> 0 ORDER BY {KEY}"
        f" ON CONFLICT ({KEY}) DO UPDATE SET records = {TABLE}.records + EXCLUDED.records;"
        f" DELETE FROM {TABLE} WHERE records = 0;"
    )


def atlas_counts_sql() -> tuple[str, str]:
    """The SQL that creates, and the SQL that drops, the triggers keeping the table."""
    inserted = _apply(_grouped("new_rows", "1"))
    deleted = _apply(_grouped("old_rows", "-1"))
    updated = _apply(
        f"{_grouped('new_rows', '1')} UNION ALL {_grouped('old_rows', '-1')}"
    )
    create = f"""
CREATE FUNCTION atlas_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {inserted} RETURN NULL; END $$;
CREATE FUNCTION atlas_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {deleted} RETURN NULL; END $$;
CREATE FUNCTION atlas_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {updated} RETURN NULL; END $$;
CREATE FUNCTION atlas_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN TRUNCATE {TABLE}; RETURN NULL; END $$;
CREATE TRIGGER atlas_counts_insert AFTER INSERT ON {OCCURRENCE_TABLE}
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION atlas_counts_inserted();
CREATE TRIGGER atlas_counts_update AFTER UPDATE ON {OCCURRENCE_TABLE}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION atlas_counts_updated();
CREATE TRIGGER atlas_counts_delete AFTER DELETE ON {OCCURRENCE_TABLE}
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION atlas_counts_deleted();
CREATE TRIGGER atlas_counts_truncate AFTER TRUNCATE ON {OCCURRENCE_TABLE}
  FOR EACH STATEMENT EXECUTE FUNCTION atlas_counts_truncated();
"""
    drop = f"""
DROP TRIGGER IF EXISTS atlas_counts_insert ON {OCCURRENCE_TABLE};
DROP TRIGGER IF EXISTS atlas_counts_update ON {OCCURRENCE_TABLE};
DROP TRIGGER IF EXISTS atlas_counts_delete ON {OCCURRENCE_TABLE};
DROP TRIGGER IF EXISTS atlas_counts_truncate ON {OCCURRENCE_TABLE};
DROP FUNCTION IF EXISTS atlas_counts_inserted();
DROP FUNCTION IF EXISTS atlas_counts_deleted();
DROP FUNCTION IF EXISTS atlas_counts_updated();
DROP FUNCTION IF EXISTS atlas_counts_truncated();
"""
    return create, drop


def atlas_counts_rebuild() -> int:
    """Count the whole table again (after a bulk load run with the triggers disabled);
    returns the number of summary rows."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} ({KEY}, records)"
            f" SELECT * FROM ({_grouped(OCCURRENCE_TABLE, '1')}) g ORDER BY {KEY}"
        )
        return cursor.rowcount

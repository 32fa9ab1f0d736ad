"""The occurrence table's index audit (issue 21): 29 indexes, each written by every
imported row and by every row a sensitivity refresh rewrites (no HOT update is possible
there: updated_at and sensitivity_level are indexed). Nine go, none that a query reads:

- the single-column indexes Django made on a foreign key that leads a composite index,
  which serves the same lookups and the PROTECT checks: taxon (occ_taxon_date), dataset
  (occ_dataset_date, occ_source_key_unique), atlas_group (occ_group_date), created_by
  (occ_created_by_recent);
- the varchar_pattern_ops twins of commune and departement (for LIKE 'x%'; no query
  matches a code by prefix);
- commune: no query filters on the main commune (the commune filter reads ``communes``,
  occ_communes_gin), and communes are never deleted (the import updates them in place);
- updated_by and validator: no query looks records up by their last editor or validator;
  only deleting a user reads them (Django's PROTECT check, then a sequential scan: an
  administrator's rare act; a user is deactivated, not deleted).

The département's index stays, renamed occ_departement (the département filter).

The foreign keys of the three derived columns (commune, departement, atlas_group) go:
their values are read from the very tables they point to (observations.services.derived),
never typed, and their per-row checks were three of the import's checks at commit.
Django still protects the rows they point to (on_delete=PROTECT, in Python).

Only DROP INDEX, ALTER INDEX … RENAME and DROP CONSTRAINT: instant at 10,000,000 rows
(Django's own AlterField would drop and re-add, so re-validate, five foreign keys).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = (
    "observations_occurrence_taxon_id_140a5e8b",
    "observations_occurrence_dataset_id_4d1d154a",
    "observations_occurrence_atlas_group_id_90736945",
    "observations_occurrence_created_by_id_35655d31",
    "observations_occurrence_commune_id_1e02607c",
    "observations_occurrence_commune_id_1e02607c_like",
    "observations_occurrence_departement_id_44cc1339_like",
    "observations_occurrence_updated_by_id_809d6651",
    "observations_occurrence_validator_id_139cd4fb",
)
# The foreign keys of the derived columns, found by column, not by name (a bulk load may
# re-create them under another).
DROP_KEYS = """
DO $$ DECLARE c record; BEGIN
  FOR c IN SELECT con.conname FROM pg_constraint con
    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ANY(con.conkey)
    WHERE con.conrelid = 'observations_occurrence'::regclass AND con.contype = 'f'
    AND a.attname IN ('commune_id', 'departement_id', 'atlas_group_id')
  LOOP
    EXECUTE format('ALTER TABLE observations_occurrence DROP CONSTRAINT %I', c.conname);
  END LOOP;
END $$
"""
FORWARD = [
    *(f'DROP INDEX IF EXISTS "{name}"' for name in INDEXES),
    'ALTER INDEX IF EXISTS "observations_occurrence_departement_id_44cc1339"'
    ' RENAME TO "occ_departement"',
    'CREATE INDEX IF NOT EXISTS "occ_departement"'
    ' ON "observations_occurrence" ("departement_id")',
    DROP_KEYS,
]
BACKWARD = [
    'ALTER INDEX "occ_departement"'
    ' RENAME TO "observations_occurrence_departement_id_44cc1339"',
    'CREATE INDEX "observations_occurrence_departement_id_44cc1339_like"'
    ' ON "observations_occurrence" ("departement_id" varchar_pattern_ops)',
    'CREATE INDEX "observations_occurrence_commune_id_1e02607c_like"'
    ' ON "observations_occurrence" ("commune_id" varchar_pattern_ops)',
    *(
        f'CREATE INDEX "{name}" ON "observations_occurrence" ("{column}")'
        for name, column in (
            ("observations_occurrence_taxon_id_140a5e8b", "taxon_id"),
            ("observations_occurrence_dataset_id_4d1d154a", "dataset_id"),
            ("observations_occurrence_atlas_group_id_90736945", "atlas_group_id"),
            ("observations_occurrence_created_by_id_35655d31", "created_by_id"),
            ("observations_occurrence_commune_id_1e02607c", "commune_id"),
            ("observations_occurrence_updated_by_id_809d6651", "updated_by_id"),
            ("observations_occurrence_validator_id_139cd4fb", "validator_id"),
        )
    ),
    *(
        f"ALTER TABLE observations_occurrence ADD FOREIGN KEY ({column})"
        f" REFERENCES {table} ({key}) DEFERRABLE INITIALLY DEFERRED"
        for column, table, key in (
            ("commune_id", "referentiel_commune", "insee"),
            ("departement_id", "referentiel_departement", "code"),
            ("atlas_group_id", "referentiel_atlasgroup", "id"),
        )
    ),
]


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0023_fine_cell_counts"),
        ("referentiel", "0011_programme_report_line"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.AlterField(
                    model_name="occurrence",
                    name="atlas_group",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="referentiel.atlasgroup",
                        verbose_name="groupe d'atlas",
                    ),
                ),
                migrations.AlterField(
                    model_name="occurrence",
                    name="commune",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="referentiel.commune",
                        verbose_name="commune principale",
                    ),
                ),
                migrations.AlterField(
                    model_name="occurrence",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="créé par",
                    ),
                ),
                migrations.AlterField(
                    model_name="occurrence",
                    name="dataset",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="occurrences",
                        to="referentiel.dataset",
                        verbose_name="jeu de données",
                    ),
                ),
                migrations.AlterField(
                    model_name="occurrence",
                    name="departement",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="referentiel.departement",
                        verbose_name="département",
                    ),
                ),
                migrations.AlterField(
                    model_name="occurrence",
                    name="taxon",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="occurrences",
                        to="referentiel.taxon",
                        verbose_name="taxon",
                    ),
                ),
                migrations.AlterField(
                    model_name="occurrence",
                    name="updated_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="modifié par",
                    ),
                ),
                migrations.AlterField(
                    model_name="occurrence",
                    name="validator",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="validated_occurrences",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="validateur",
                    ),
                ),
                migrations.AddIndex(
                    model_name="occurrence",
                    index=models.Index(fields=["departement"], name="occ_departement"),
                ),
            ],
        ),
    ]

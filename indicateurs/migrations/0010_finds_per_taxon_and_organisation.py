"""One decision per organisation, year, taxon and kind of find (issue 22 §3): a decision
made by one structure is no longer overwritten by another's, and a taxon new to several
départements and to the territory is decided once. Existing decisions take the year and
taxon of their record and the organisation of the coordinator who made them; the presence
history gains the records of each year (the regional abundance of a taxon)."""

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE indicateurs_remarkablefind f
   SET year = extract(year FROM o.date_start)::smallint,
       cd_ref = t.cd_ref,
       organisation_id = (
           SELECT u.organisation_id FROM referentiel_user u WHERE u.id = f.decided_by_id)
  FROM observations_occurrence o
  JOIN referentiel_taxon t ON t.cd_nom = o.taxon_id
 WHERE o.id = f.occurrence_id;
-- Two decisions now on the same taxon, year, kind and organisation: keep the latest.
DELETE FROM indicateurs_remarkablefind f
 USING indicateurs_remarkablefind g
 WHERE f.year IS NOT DISTINCT FROM g.year AND f.cd_ref IS NOT DISTINCT FROM g.cd_ref
   AND f.kind = g.kind AND f.organisation_id IS NOT DISTINCT FROM g.organisation_id
   AND (f.updated_at, f.id) < (g.updated_at, g.id);
DELETE FROM indicateurs_remarkablefind WHERE year IS NULL OR cd_ref IS NULL;
-- The kept dashboards hold the finds per département, without the year and organisation
-- their decisions are read for: derived data, recomputed at the next reading.
DELETE FROM indicateurs_indicatorsnapshot;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("indicateurs", "0009_coordinators_narrative_series_structure_share"),
        ("observations", "0001_initial"),
        ("referentiel", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="remarkablefind", name="indic_find_once"
        ),
        migrations.AddField(
            model_name="remarkablefind",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="referentiel.organisation",
                verbose_name="organisme",
            ),
        ),
        migrations.AddField(
            model_name="remarkablefind",
            name="year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="année"),
        ),
        migrations.AddField(
            model_name="remarkablefind",
            name="cd_ref",
            field=models.IntegerField(null=True, verbose_name="cd_ref du taxon"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="remarkablefind",
            name="year",
            field=models.PositiveSmallIntegerField(verbose_name="année"),
        ),
        migrations.AlterField(
            model_name="remarkablefind",
            name="cd_ref",
            field=models.IntegerField(verbose_name="cd_ref du taxon"),
        ),
        migrations.AddConstraint(
            model_name="remarkablefind",
            constraint=models.UniqueConstraint(
                fields=("organisation", "year", "cd_ref", "kind"),
                name="indic_find_decided_once",
                nulls_distinct=False,
            ),
        ),
        migrations.AddField(
            model_name="taxonpresence",
            name="counts",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.PositiveIntegerField(),
                default=list,
                size=None,
                verbose_name="données par année",
            ),
        ),
    ]

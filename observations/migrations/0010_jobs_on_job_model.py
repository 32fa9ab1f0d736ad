"""Imports, extracts and SINP exports on the core's job model (cpie_naturaliste.core.jobs):
the fields they lacked, and an import's bar kept where its page showed it (the percentage
was computed from its rows; it is now stored)."""

from django.db import migrations, models
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Greatest

FINISHED = ["invalid", "checked", "done", "failed", "undone"]


def import_progress(apps, schema_editor):
    ImportBatch = apps.get_model("observations", "ImportBatch")
    ImportBatch.objects.update(
        progress=Case(
            When(status__in=FINISHED, then=Value(100)),
            When(status="importing", then=Value(95)),
            default=90
            * F("processed_rows")
            / Greatest(F("total_rows"), F("processed_rows"), 1),
            output_field=IntegerField(),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0009_extracts_expire_beat"),
    ]

    operations = [
        migrations.AddField(
            model_name="extract",
            name="step",
            field=models.CharField(blank=True, max_length=120, verbose_name="étape"),
        ),
        migrations.AddField(
            model_name="extract",
            name="task_id",
            field=models.CharField(blank=True, max_length=255, verbose_name="tâche"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="progress",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="avancement (%)"
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="started_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="commencé le"
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="step",
            field=models.CharField(blank=True, max_length=120, verbose_name="étape"),
        ),
        migrations.AddField(
            model_name="sinpexport",
            name="attempts",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="tentatives"
            ),
        ),
        migrations.AddField(
            model_name="sinpexport",
            name="started_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="commencé le"
            ),
        ),
        migrations.AddField(
            model_name="sinpexport",
            name="step",
            field=models.CharField(blank=True, max_length=120, verbose_name="étape"),
        ),
        migrations.AddField(
            model_name="sinpexport",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="modifié le"),
        ),
        migrations.AlterField(
            model_name="extract",
            name="finished_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="terminé le"
            ),
        ),
        migrations.AlterField(
            model_name="extract",
            name="started_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="commencé le"
            ),
        ),
        migrations.AlterField(
            model_name="extract",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "En attente"),
                    ("running", "En cours"),
                    ("done", "Prête"),
                    ("failed", "Échec"),
                    ("expired", "Expirée"),
                ],
                default="pending",
                max_length=12,
                verbose_name="état",
            ),
        ),
        migrations.AlterField(
            model_name="importbatch",
            name="task_id",
            field=models.CharField(blank=True, max_length=255, verbose_name="tâche"),
        ),
        migrations.AlterField(
            model_name="sinpexport",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "En attente"),
                    ("running", "En cours"),
                    ("done", "Terminé"),
                    ("failed", "Échec"),
                ],
                default="pending",
                max_length=12,
                verbose_name="état",
            ),
        ),
        migrations.AlterField(
            model_name="sinpexport",
            name="task_id",
            field=models.CharField(blank=True, max_length=255, verbose_name="tâche"),
        ),
        migrations.RunPython(import_progress, migrations.RunPython.noop),
    ]

# Incremental sync (issue 20): the keyset index on (updated_at, id) of occurrences; the
# tombstones keep what the read rule needs (author, sensitivity level), one row per time a
# record leaves (no longer unique per uuid), with their reason (deleted / withdrawn) and a
# keyset index; the nightly purge past SYNC_DELETIONS_RETENTION_DAYS at 02:45 Paris time.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cpie_naturaliste.core import beat


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0013_import_mode"),
        ("referentiel", "0007_data_generation"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="occurrencedeletion",
            options={
                "ordering": ["-deleted_at", "-id"],
                "verbose_name": "observation supprimée",
                "verbose_name_plural": "observations supprimées",
            },
        ),
        migrations.AddField(
            model_name="occurrencedeletion",
            name="created_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="auteur",
            ),
        ),
        migrations.AddField(
            model_name="occurrencedeletion",
            name="reason",
            field=models.CharField(
                choices=[
                    ("deleted", "supprimée"),
                    ("withdrawn", "retirée de la lecture"),
                ],
                default="deleted",
                max_length=10,
                verbose_name="motif",
            ),
        ),
        migrations.AddField(
            model_name="occurrencedeletion",
            name="sensitivity_level",
            field=models.PositiveSmallIntegerField(
                default=0, verbose_name="niveau de sensibilité"
            ),
        ),
        migrations.AlterField(
            model_name="occurrencedeletion",
            name="deleted_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="supprimée le"),
        ),
        migrations.AlterField(
            model_name="occurrencedeletion",
            name="uuid",
            field=models.UUIDField(db_index=True, verbose_name="identifiant SINP"),
        ),
        migrations.AddIndex(
            model_name="occurrence",
            index=models.Index(fields=["updated_at", "id"], name="occ_updated_keyset"),
        ),
        migrations.AddIndex(
            model_name="occurrencedeletion",
            index=models.Index(fields=["deleted_at", "id"], name="occ_deletion_keyset"),
        ),
        beat.beat_schedule(
            name="Purge des suppressions anciennes",
            task="observations.tasks.occurrence_deletions_purge_task",
            minute="45",
            hour="2",
            description=(
                "Chaque nuit à 2 h 45 : efface les traces d'observations supprimées plus "
                "anciennes que la rétention du flux des suppressions de l'API "
                "(SYNC_DELETIONS_RETENTION_DAYS), sauf celles dont l'export SINP a besoin."
            ),
        ),
    ]

# The rebuild of the finds' presence history (indicateurs.tasks.presence_summary_task)
# every quarter of an hour, as a row of django-celery-beat's DatabaseScheduler; the same
# task also runs after imports and validations (indicateurs.summary).

from django.db import migrations

from cpie_naturaliste.core import beat

BEAT_TASK_NAME = "Historique des présences (découvertes remarquables)"
BEAT_TASK = "indicateurs.tasks.presence_summary_task"


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("indicateurs", "0004_presence_history"),
    ]

    operations = [
        beat.beat_schedule(
            name=BEAT_TASK_NAME,
            task=BEAT_TASK,
            minute="*/15",
            description="Toutes les 15 minutes : table des présences valides par "
            "taxon, département ou territoire et année, d'où le tableau de bord des "
            "indicateurs lit les premières mentions.",
        )
    ]

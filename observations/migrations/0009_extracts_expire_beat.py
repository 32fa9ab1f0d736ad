# The deletion of expired extract files (observations.tasks.extracts_expire_task) every
# night at 02:30 Paris time, as a row of django-celery-beat's DatabaseScheduler
# (cpie_naturaliste.core.beat). The extracts page announces each file's deletion date: a
# file past it is refused at once (410) and deleted by the next run; the log row stays.

from django.db import migrations

from cpie_naturaliste.core import beat

BEAT_TASK_NAME = "Suppression des fichiers d'extraction expirés"
BEAT_TASK = "observations.tasks.extracts_expire_task"


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("observations", "0008_grid_covering_index"),
    ]

    operations = [
        beat.beat_schedule(
            name=BEAT_TASK_NAME,
            task=BEAT_TASK,
            minute="30",
            hour="2",
            description=(
                "Chaque nuit à 2 h 30 : supprime les fichiers des extractions dont la durée "
                "de conservation est dépassée (l'extraction passe à « Expirée », le journal "
                "des échanges reste)."
            ),
        )
    ]

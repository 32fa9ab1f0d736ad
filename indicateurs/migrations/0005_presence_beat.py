# The rebuild of the finds' presence history (indicateurs.tasks.presence_summary_task)
# every quarter of an hour, as a row of django-celery-beat's DatabaseScheduler; the same
# task also runs after imports and validations (indicateurs.summary).

from django.db import migrations

BEAT_TASK_NAME = "Historique des présences (découvertes remarquables)"
BEAT_TASK = "indicateurs.tasks.presence_summary_task"


def beat_schedule_create(apps, schema_editor):
    from django.utils import timezone

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="*/15",
        hour="*",
        day_of_month="*",
        month_of_year="*",
        day_of_week="*",
        timezone="Europe/Paris",
    )
    PeriodicTask.objects.update_or_create(
        name=BEAT_TASK_NAME,
        defaults={
            "task": BEAT_TASK,
            "crontab": crontab,
            "enabled": True,
            "description": "Toutes les 15 minutes : table des présences valides par "
            "taxon, département ou territoire et année, d'où le tableau de bord des "
            "indicateurs lit les premières mentions.",
        },
    )
    PeriodicTasks.objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def beat_schedule_delete(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=BEAT_TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("indicateurs", "0004_presence_history"),
    ]

    operations = [migrations.RunPython(beat_schedule_create, beat_schedule_delete)]

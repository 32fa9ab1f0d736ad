# The annual report of year N-1 (indicateurs.tasks.report_annual_task), on 10 January at
# 04:00 Paris time, after the SINP export of the 5th. A row of django-celery-beat's
# DatabaseScheduler, so that an administrator can move or disable it in the admin.

from django.db import migrations

BEAT_TASK_NAME = "Bilan annuel à la Région (année N-1, XLSX)"
BEAT_TASK = "indicateurs.tasks.report_annual_task"


def beat_schedule_create(apps, schema_editor):
    from django.utils import timezone

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="0",
        hour="4",
        day_of_month="10",
        month_of_year="1",
        day_of_week="*",
        timezone="Europe/Paris",
    )
    PeriodicTask.objects.update_or_create(
        name=BEAT_TASK_NAME,
        defaults={
            "task": BEAT_TASK,
            "crontab": crontab,
            "enabled": True,
            "description": "Chaque année le 10 janvier : classeur du bilan annuel de "
            "l'année écoulée (indicateurs des actions 1 à 3 et tableaux de détail).",
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
        ("indicateurs", "0001_annual_reports"),
    ]

    operations = [migrations.RunPython(beat_schedule_create, beat_schedule_delete)]

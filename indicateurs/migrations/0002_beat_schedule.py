# The annual report of year N-1 (indicateurs.tasks.report_annual_task), on 10 January at
# 04:00 Paris time, after the SINP export of the 5th. A row of django-celery-beat's
# DatabaseScheduler, so that an administrator can move or disable it in the admin.

from django.db import migrations

from cpie_naturaliste.core import beat

BEAT_TASK_NAME = "Bilan annuel à la Région (année N-1, XLSX)"
BEAT_TASK = "indicateurs.tasks.report_annual_task"


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("indicateurs", "0001_annual_reports"),
    ]

    operations = [
        beat.beat_schedule(
            name=BEAT_TASK_NAME,
            task=BEAT_TASK,
            minute="0",
            hour="4",
            day_of_month="10",
            month_of_year="1",
            description="Chaque année le 10 janvier : classeur du bilan annuel de "
            "l'année écoulée (indicateurs des actions 1 à 3 et tableaux de détail).",
        )
    ]

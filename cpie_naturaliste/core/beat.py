"""Periodic tasks as rows of django-celery-beat's DatabaseScheduler, written by data
migrations (the project's ``CELERY_BEAT_SCHEDULER``).

Why rows and not ``CELERY_BEAT_SCHEDULE``: an administrator can move or disable a task in
the admin, and beat would write a settings entry back over their change at every start.
Why one helper: each app's schedule migration had grown its own copy of these lines, then
its own pair of ``RunPython`` functions around them; a migration now only names its task and
its crontab, ``operations = [beat_schedule(name=…, task=…, description=…, hour=…)]``. The
operation's functions are :func:`functools.partial` of module-level functions, which
Django's migration writer serializes, so that the migration can still be squashed. Every
function takes the migration's ``apps`` (historical models), never the real ones.
"""

from functools import partial

from django.db import migrations

BEAT_TIMEZONE = "Europe/Paris"


def beat_schedule(*, name: str, task: str, description: str, **crontab: str):
    """The operation of a schedule migration: the periodic task ``name`` running ``task``
    on ``crontab`` (``minute``, ``hour``, ``day_of_month``…), removed when migrating back."""
    return migrations.RunPython(
        partial(
            beat_schedule_forwards,
            name=name,
            task=task,
            description=description,
            **crontab,
        ),
        partial(beat_schedule_backwards, name=name),
    )


def beat_schedule_forwards(apps, schema_editor, **fields) -> None:
    beat_schedule_save(apps, **fields)


def beat_schedule_backwards(apps, schema_editor, *, name: str) -> None:
    beat_schedule_delete(apps, name=name)


def beat_schedule_save(
    apps,
    *,
    name: str,
    task: str,
    description: str,
    minute: str = "0",
    hour: str = "*",
    day_of_month: str = "*",
    month_of_year: str = "*",
    day_of_week: str = "*",
) -> None:
    """Create (or update, by name) an enabled periodic task on a crontab in Paris time,
    and tell a running beat to reload its schedule."""
    from django.utils import timezone

    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_month=day_of_month,
        month_of_year=month_of_year,
        day_of_week=day_of_week,
        timezone=BEAT_TIMEZONE,
    )
    PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": task,
            "crontab": crontab,
            "enabled": True,
            "description": description,
        },
    )
    PeriodicTasks.objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def beat_schedule_delete(apps, *, name: str) -> None:
    """Remove a periodic task (the reverse of :func:`beat_schedule_save`)."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=name).delete()

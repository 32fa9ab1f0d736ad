"""Celery tasks of the annual report: write one requested report, and each January the
report of the year before (django-celery-beat row created by migration 0002)."""

from celery import shared_task
from django.utils import timezone

from cpie_naturaliste.core.jobs.services import JOB_TASK


@shared_task(**JOB_TASK)
def report_run_task(self, report_id: int) -> None:
    """Write a report's workbook; safe to deliver twice (see report_run)."""
    from indicateurs.jobs import report_run

    report_run(report_id, task_id=self.request.id or "")


@shared_task(ignore_result=True)
def report_annual_task() -> None:
    """Each January: the report of year N-1, computed with a superuser's rights."""
    from indicateurs.jobs import report_create

    report_create(year=timezone.localdate().year - 1, user=None)


@shared_task(acks_late=True, ignore_result=True)
def indicators_refresh_task(presences: bool = False, everything: bool = False) -> None:
    """After changes (indicateurs.snapshots.refresh_schedule, debounced): rebuild the
    presence history of the finds if records changed (or ``presences``), then recompute
    the dashboard's stale snapshots (all of them with ``everything``). Idempotent."""
    from django.core.cache import cache

    from cpie_naturaliste.core.generation import data_changed
    from indicateurs.snapshots import (
        PRESENCES_DIRTY_KEY,
        REFRESH_KEY,
        snapshots_refresh,
    )
    from indicateurs.summary import presence_summary_refresh

    # Changes arriving from now on ask for a new run.
    cache.delete(REFRESH_KEY)
    if cache.get(PRESENCES_DIRTY_KEY) or presences:
        cache.delete(PRESENCES_DIRTY_KEY)
        if presence_summary_refresh().changed:
            data_changed()
    snapshots_refresh(everything=everything)


@shared_task(acks_late=True, ignore_result=True)
def presence_summary_task() -> None:
    """Every quarter of an hour (django-celery-beat, migration 0005): the presence
    history, then the snapshots that changes left stale."""
    indicators_refresh_task(presences=True)


@shared_task(acks_late=True, ignore_result=True)
def series_compute_task(user_id: int, structure_id: int | None, years: list) -> None:
    """The snapshots of the years a dashboard's multi-year series misses."""
    from indicateurs.series import series_compute

    series_compute(user_id, structure_id, years)

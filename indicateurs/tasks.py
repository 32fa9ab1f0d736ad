"""Celery tasks of the annual report: write one requested report, and each January the
report of the year before (django-celery-beat row created by migration 0002)."""

from celery import shared_task
from django.utils import timezone


@shared_task(bind=True, acks_late=True, ignore_result=True)
def report_run_task(self, report_id: int) -> None:
    """Write a report's workbook; safe to deliver twice (see report_run)."""
    from indicateurs.jobs import report_run

    report_run(report_id)


@shared_task(ignore_result=True)
def report_annual_task() -> None:
    """Each January: the report of year N-1, computed with a superuser's rights."""
    from indicateurs.jobs import report_create

    report_create(year=timezone.localdate().year - 1, user=None)

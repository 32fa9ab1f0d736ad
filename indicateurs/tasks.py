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


@shared_task(acks_late=True, ignore_result=True)
def presence_summary_task() -> None:
    """Rebuild the presence history of the finds (indicateurs.summary); idempotent."""
    from django.core.cache import cache

    from indicateurs.summary import DEBOUNCE_KEY, presence_summary_refresh

    # Changes arriving from now on ask for a new rebuild.
    cache.delete(DEBOUNCE_KEY)
    presence_summary_refresh()


def presence_summary_schedule(**kwargs) -> None:
    """Receiver of observations.signals.occurrences_changed: one rebuild for a burst of
    changes, ``INDICATEURS_REFRESH_DELAY`` seconds after the first of them."""
    import logging

    from django.conf import settings
    from django.core.cache import cache

    from indicateurs.summary import DEBOUNCE_KEY, DEBOUNCE_SECONDS

    if not getattr(settings, "INDICATEURS_AUTO_REFRESH", True):
        return
    delay = int(getattr(settings, "INDICATEURS_REFRESH_DELAY", DEBOUNCE_SECONDS))
    try:
        if cache.add(DEBOUNCE_KEY, 1, timeout=delay + 600):
            presence_summary_task.apply_async(countdown=delay)
    except Exception:  # the broker or cache is down: the quarter-hourly run catches up
        logging.getLogger(__name__).exception("Recalcul des présences non planifié")

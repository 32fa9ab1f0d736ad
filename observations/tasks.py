"""Background work on occurrences: file imports, partner extracts, SINP exports, sensitivity.

Every job is a row (ImportBatch, Extract, SinpExport) on the core's job model; its task is
queued after the commit by ``cpie_naturaliste.core.jobs.services.job_enqueue``, which fails
the job visibly when the broker cannot be reached."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from cpie_naturaliste.core.jobs.services import JOB_TASK, job_enqueue
from observations.imports import import_batch_process
from observations.models import ImportBatch

logger = logging.getLogger(__name__)
# Up to this many rows a file is imported during the request; larger ones go to the worker.
DEFAULT_INLINE_MAX_ROWS = 500


@shared_task(**JOB_TASK)
def import_batch_run(self, batch_id: int) -> None:
    """Check and import a batch. Safe to deliver twice (acks_late, worker lost): a finished
    batch is left as it is, a running one is waited for (lock) or taken over from a killed
    worker, attempts are capped in the batch."""
    import_batch_process(batch_id=batch_id, task_id=self.request.id or "")


def import_batch_start(*, batch: ImportBatch) -> bool:
    """Run a mapped batch now if it is small, else queue it once the transaction commits.

    Returns True when the batch was queued for the worker."""
    limit = int(getattr(settings, "IMPORT_INLINE_MAX_ROWS", DEFAULT_INLINE_MAX_ROWS))
    if batch.total_rows <= limit:
        import_batch_process(batch_id=batch.pk)
        batch.refresh_from_db()
        return False
    job_enqueue(import_batch_run, batch)
    return True


@shared_task(**JOB_TASK)
def extract_run_task(self, extract_id: int) -> None:
    """Write a partner extract's file; safe to deliver twice (see extract_run)."""
    from observations.exports.extracts import extract_run

    extract_run(extract_id, task_id=self.request.id or "")


@shared_task(ignore_result=True)
def extracts_expire_task() -> None:
    """Every night (beat, migration observations 0009): delete the files of extracts past
    their retention date, as the extracts page announces (the log stays)."""
    from observations.exports.extracts import extracts_expire

    extracts_expire()


@shared_task(**JOB_TASK)
def sinp_export_run(self, export_id: int) -> None:
    """Write a SINP/RAIN export's file. Safe to deliver twice (acks_late, worker lost): a
    finished export is left as it is, and its file is written under a temporary name."""
    from observations.exports.sinp import sinp_export_process

    sinp_export_process(export_id, task_id=self.request.id or "")


@shared_task(acks_late=True, ignore_result=True)
def sinp_export_annual() -> None:
    """Beat, each 5 January (migration observations 0003): year N-1, faune and flore."""
    from observations.exports.sinp import sinp_export_annual as annual

    annual()


@shared_task(acks_late=True, ignore_result=True)
def refresh_sensitivity_task() -> None:
    """Recompute every record's sensitivity after the rules changed (seconds at 1M rows
    when little changes, see bench/RESULTS.md); rewrites only the rows that change."""
    from observations.services import occurrences_refresh_sensitivity

    cache.delete(SENSITIVITY_QUEUED)
    changes = occurrences_refresh_sensitivity()
    logger.info("Sensibilité recalculée : %s", changes)


SENSITIVITY_QUEUED = "sensitivity-refresh-queued"


def sensitivity_refresh_enqueue(**kwargs) -> None:
    """Queue one recomputation (several rule edits in a row queue it once)."""
    if not cache.add(SENSITIVITY_QUEUED, 1, 600):
        return
    try:
        refresh_sensitivity_task.delay()
    except Exception:
        cache.delete(SENSITIVITY_QUEUED)
        logger.exception(
            "File d'attente Celery injoignable : lancez manage.py refresh_sensitivity"
        )


@shared_task(acks_late=True, ignore_result=True)
def occurrence_deletions_purge_task() -> None:
    """Beat, each night (migration observations 0014): tombstones past the deletions
    feed's retention (``SYNC_DELETIONS_RETENTION_DAYS``)."""
    from observations.services import occurrence_deletions_purge

    purged = occurrence_deletions_purge()
    logger.info("Suppressions purgées : %s", purged)

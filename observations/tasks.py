"""Background work on occurrences: file imports."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from observations.imports import import_batch_process
from observations.models import ImportBatch

logger = logging.getLogger(__name__)
# Up to this many rows a file is imported during the request; larger ones go to the worker.
DEFAULT_INLINE_MAX_ROWS = 500


@shared_task(bind=True, acks_late=True, ignore_result=True)
def import_batch_run(self, batch_id: int) -> None:
    """Check and import a batch. Safe to deliver twice (acks_late, worker lost): a finished
    batch is left as it is, a running one is locked, attempts are capped in the batch."""
    import_batch_process(batch_id=batch_id, task_id=self.request.id or "")


def import_batch_start(*, batch: ImportBatch) -> bool:
    """Run a mapped batch now if it is small, else queue it once the transaction commits.

    Returns True when the batch was queued for the worker."""
    limit = int(getattr(settings, "IMPORT_INLINE_MAX_ROWS", DEFAULT_INLINE_MAX_ROWS))
    if batch.total_rows <= limit:
        import_batch_process(batch_id=batch.pk)
        batch.refresh_from_db()
        return False
    transaction.on_commit(lambda: _enqueue(batch.pk))
    return True


def _enqueue(batch_id: int) -> None:
    """Queue the batch; if the broker is unreachable, say so on the batch page."""
    try:
        import_batch_run.delay(batch_id)
    except Exception:
        logger.exception("Import %s : file d'attente Celery injoignable", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=_(
                "Le service de traitement en arrière-plan est injoignable : l'import "
                "n'a pas pu démarrer, rien n'a été importé. Réessayez plus tard."
            ),
        )


@shared_task(bind=True, acks_late=True, ignore_result=True)
def extract_run_task(self, extract_id: int) -> None:
    """Write a partner extract's file; safe to deliver twice (see extract_run)."""
    from observations.exports.extracts import extract_run

    extract_run(extract_id)


@shared_task(ignore_result=True)
def extracts_expire_task() -> None:
    """Daily: delete the files of extracts past their retention date (the log stays)."""
    from observations.exports.extracts import extracts_expire

    extracts_expire()


@shared_task(bind=True, acks_late=True, ignore_result=True)
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


def sinp_export_start(export_id: int) -> None:
    """Queue an export once the transaction commits; if the broker is unreachable, say so
    on the export's page."""

    def enqueue() -> None:
        from observations.models import SinpExport

        try:
            sinp_export_run.delay(export_id)
        except Exception:
            logger.exception(
                "Export SINP %s : file d'attente Celery injoignable", export_id
            )
            SinpExport.objects.filter(pk=export_id).update(
                status=SinpExport.Status.FAILED,
                finished_at=timezone.now(),
                error=_(
                    "Le service de traitement en arrière-plan est injoignable : l'export "
                    "n'a pas pu démarrer. Réessayez plus tard."
                ),
            )

    transaction.on_commit(enqueue)


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

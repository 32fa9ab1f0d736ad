"""The CRBPO import as a job of the core framework: the page stores the file and queues it,
the worker runs ``crbpo_import`` and keeps on the job what the page shows (the summary, the
counts, the errors with their line and column, the warnings).

The import is all or nothing in one transaction, so a worker lost midway left nothing: the
redelivered task claims the job again and starts over (``MAX_ATTEMPTS`` deliveries at most).
"""

import logging

from django.utils.translation import gettext as _

from baguage.models import RingingImport
from baguage.tasks import ringing_import_run
from cpie_naturaliste.core.jobs.services import (
    job_claim,
    job_create,
    job_fail,
    job_finish,
    job_step,
)

from .process import crbpo_import
from .result import CrbpoImportResult

logger = logging.getLogger(__name__)
ERRORS_KEPT = 500  # the page lists these; the total is kept too


def ringing_import_create(*, user, dataset, file, dry_run: bool) -> RingingImport:
    """Store the uploaded ``file`` as a pending import, queued for the worker on commit."""
    return job_create(
        RingingImport,
        task=ringing_import_run,
        file=file,
        filename=file.name[:255],
        dataset=dataset,
        dry_run=dry_run,
        created_by=user,
    )


def ringing_import_process(job_id: int, *, task_id: str = "") -> RingingImport:
    """Run the import of job ``job_id`` (the task's body); a finished job is left as it is."""
    job = job_claim(RingingImport, job_id, task_id=task_id)
    if job.is_finished:
        return job
    try:
        result = crbpo_import(
            path=job.file.path,
            user=job.created_by,
            dataset=job.dataset,
            dry_run=job.dry_run,
            filename=job.filename,
            on_step=lambda *args, **kwargs: job_step(job, *args, **kwargs),
        )
    except Exception as error:
        logger.exception("Import CRBPO %s", job.pk)
        job_fail(job, _("L'import a échoué : %s") % error)
        return job
    job_finish(job, **_result_fields(result))
    return job


def _result_fields(result: CrbpoImportResult) -> dict:
    return {
        "status": RingingImport.Status.DONE
        if result.ok
        else RingingImport.Status.INVALID,
        "rows": result.rows,
        "sessions_created": result.sessions_created,
        "sessions_existing": result.sessions_existing,
        "captures_created": result.captures_created,
        "skipped": result.skipped,
        "summary": result.summary(),
        "errors": result.error_entries()[:ERRORS_KEPT],
        "errors_total": result.errors.total,
        "warnings": result.warnings,
    }

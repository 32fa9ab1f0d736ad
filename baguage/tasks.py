"""Celery task of the ringing app: the CRBPO import, run by the worker."""

from celery import shared_task

from cpie_naturaliste.core.jobs.services import JOB_TASK


@shared_task(**JOB_TASK)
def ringing_import_run(self, job_id: int) -> None:
    """Import a CRBPO file; safe to deliver twice (see ``ringing_import_process``)."""
    from baguage.imports.jobs import ringing_import_process

    ringing_import_process(job_id, task_id=self.request.id or "")

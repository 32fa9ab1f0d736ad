"""The life of a job, one way for every job model (:class:`.models.Job`).

- :func:`job_create` writes the row and :func:`job_enqueue` queues its Celery task once the
  transaction commits; a broker that cannot be reached fails the job with a message its
  page shows.
- :func:`job_claim`, first thing in the task: under ``select_for_update``, a finished job is
  left as it is (a redelivered task does nothing), one past its attempts is failed, else
  it counts an attempt and turns running.
- :func:`job_step` moves the bar, never back. The step is written to the cache, which the
  status payload reads, so that a job running inside one long transaction (a SINP
  export) is followed all the same, and to the row (not with ``save=False``: a step
  reported from inside a ``COPY``, when the connection can run nothing else).
- :func:`job_finish` and :func:`job_fail` end it.
"""

import logging
from typing import TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Job

logger = logging.getLogger(__name__)
J = TypeVar("J", bound=Job)
PROGRESS_TTL = 6 * 3600
BROKER_DOWN = _(
    "Le service de traitement en arrière-plan est injoignable : le traitement n'a pas "
    "pu démarrer, rien n'a été produit. Réessayez plus tard."
)
GIVEN_UP = _("Abandon après %(n)d tentatives.")

# Celery options of every job task: acknowledged once done, so that a lost worker's job is
# delivered again (and claimed again: see job_claim).
JOB_TASK = {"bind": True, "acks_late": True, "ignore_result": True}


def job_create(model: type[J], *, task, **fields) -> J:
    """A pending job, its ``task(pk)`` queued once the transaction commits."""
    job = model.objects.create(**fields)
    job_enqueue(task, job)
    return job


def job_enqueue(task, job: Job) -> None:
    """Queue ``task(job.pk)`` once the transaction commits; if the broker cannot be
    reached, fail the job with a message its page shows."""
    model, pk = type(job), job.pk

    def enqueue() -> None:
        try:
            task.delay(pk)
        except Exception:
            logger.exception("%s %s : file d'attente Celery injoignable", model, pk)
            _write(model, pk, **_failure(model, str(BROKER_DOWN)))

    transaction.on_commit(enqueue)


def job_claim(
    model: type[J], pk: int, *, task_id: str = "", status: str = "running", **reset
) -> J:
    """The job, taken for this run: ``status`` (a running one), an attempt more, started,
    ``reset`` written (what an earlier attempt left). A finished job is returned as it is,
    and one past ``MAX_ATTEMPTS`` is failed: the caller stops when ``job.is_finished``."""
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=pk)
        if job.is_finished:
            return job
        if job.MAX_ATTEMPTS is not None and job.attempts >= job.MAX_ATTEMPTS:
            job_fail(job, GIVEN_UP % {"n": job.attempts})
            return job
        fields = {
            "status": status,
            "attempts": job.attempts + 1,
            "started_at": job.started_at or timezone.now(),
            "task_id": task_id or job.task_id,
            **reset,
        }
        _apply(job, fields)
    return job


def job_step(
    job: Job,
    percent: int,
    label: str = "",
    *,
    rows: int | None = None,
    total: int | None = None,
    save: bool = True,
    **fields,
) -> None:
    """Move the job's bar to ``percent`` (never back) with its step's ``label``, and the
    rows done so far out of ``total``; ``fields``: the model's own counters to write.
    ``save=False``: the cache only (the pages read it first), for a step reported while
    the job's database connection is busy (inside a ``COPY … TO STDOUT``)."""
    job.progress = max(min(int(percent), 100), job.progress)
    job.step = label or job.step
    live = {"percent": job.progress, "step": job.step, "rows": rows, "total": total}
    cache.set(job_progress_key(job), live, PROGRESS_TTL)
    if save:
        _apply(job, {"progress": job.progress, "step": job.step, **fields})


def job_finish(job: Job, *, status: str = "done", **fields) -> None:
    """The job went to its end (``status``: done, or the model's own end, e.g. an import
    refused for its errors): bar full, finished now, ``fields`` written."""
    _apply(
        job,
        {"status": status, "progress": 100, "finished_at": timezone.now(), **fields},
    )
    _forget(job)


def job_fail(job: Job, error: str, **fields) -> None:
    """The job broke: failed now with ``error``, where its page shows it."""
    _apply(job, {**_failure(type(job), str(error)), **fields})
    _forget(job)


def job_live(job: Job) -> dict:
    """What the last step reported while the job runs (the cache), else the row's own."""
    live = cache.get(job_progress_key(job)) if job.is_running else None
    if live is None:
        return {"percent": job.progress, "step": job.step, "rows": None, "total": None}
    live["percent"] = max(live["percent"], job.progress)
    return live


def job_progress_key(job: Job) -> str:
    """By uuid, not pk: a database restored or recreated (tests) reuses the pks, and would
    show a new job the bar of an old one still in the cache."""
    return f"job-progress:{job._meta.label_lower}:{job.uuid}"


def _failure(model: type[Job], error: str) -> dict:
    return {
        "status": model.Status.FAILED,
        "finished_at": timezone.now(),
        model.ERROR_FIELD: error,
    }


def _apply(job: Job, fields: dict) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    _write(type(job), job.pk, **fields)


def _write(model: type[models.Model], pk: int, **fields) -> None:
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        fields.setdefault("updated_at", timezone.now())
    model.objects.filter(pk=pk).update(**fields)


def _forget(job: Job) -> None:
    """The live progress goes once the end is committed (until then pollers read it)."""
    key = job_progress_key(job)
    transaction.on_commit(lambda: cache.delete(key))

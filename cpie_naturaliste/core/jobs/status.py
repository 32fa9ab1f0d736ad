"""The one status payload every job page polls, and its page context.

Keys (the tests and ``static/js/job_progress.js`` read them): ``status`` (and its
``status_label``, for the page's state badge), ``label``, ``finished``, ``percent``, ``processed_rows``, ``total_rows``, ``message`` and ``text``,
the sentence the page's live region reads out."""

from django.http import JsonResponse

from .models import Job
from .services import job_live


def job_status(job: Job) -> dict:
    live = job_live(job)
    percent = live["percent"]
    status = job.current_status()
    label = live["step"] or str(status.label)
    done, total = job.progress_rows(live, percent)
    return {
        "status": status.value,
        "status_label": str(status.label),
        "label": label,
        "finished": job.is_finished,
        "percent": percent,
        "processed_rows": done,
        "total_rows": total,
        "message": getattr(job, job.ERROR_FIELD),
        "text": _sentence(job, label, percent, done, total),
    }


def job_status_response(job: Job) -> JsonResponse:
    """The status view's answer (each app checks who may read the job first)."""
    return JsonResponse(job_status(job))


def job_page_context(job: Job, status_url: str) -> dict:
    """What ``templates/core/job_progress.html`` needs from the page's context."""
    return {"status": job_status(job), "status_url": status_url}


def _sentence(job: Job, label: str, percent: int, done: int, total: int) -> str:
    if job.ROWS_VERB is None:
        return f"{label} : {percent} %"
    text = f"{label} : {done} ligne(s) {job.ROWS_VERB}"
    if total:
        text += f" sur environ {total}"
    return text + "."

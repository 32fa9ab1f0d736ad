"""The core's job framework on a real job model (the annual report): a redelivered finished
job does nothing, attempts are capped, the bar never goes back, a broker that cannot be
reached fails the job, and every job answers the same status payload."""

import pytest
from django.core.cache import cache

from cpie_naturaliste.core.jobs.services import (
    BROKER_DOWN,
    job_claim,
    job_create,
    job_fail,
    job_finish,
    job_progress_key,
    job_step,
)
from cpie_naturaliste.core.jobs.status import job_status
from indicateurs.models import AnnualReport

KEYS = {
    "status",
    "status_label",
    "label",
    "finished",
    "percent",
    "processed_rows",
    "total_rows",
    "message",
    "text",
}


class _Task:
    def __init__(self, error: Exception | None = None):
        self.queued, self.error = [], error

    def delay(self, pk: int) -> None:
        if self.error:
            raise self.error
        self.queued.append(pk)


@pytest.mark.django_db
def test_a_job_is_queued_once_committed(django_capture_on_commit_callbacks):
    task = _Task()
    with django_capture_on_commit_callbacks(execute=True):
        report = job_create(AnnualReport, task=task, year=2020)
        assert task.queued == []
    assert task.queued == [report.pk]
    assert report.status == AnnualReport.Status.PENDING


@pytest.mark.django_db
def test_a_broker_out_of_reach_fails_the_job_visibly(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        report = job_create(AnnualReport, task=_Task(OSError("refused")), year=2020)
    report.refresh_from_db()
    assert report.status == AnnualReport.Status.FAILED and report.finished_at
    assert job_status(report)["message"] == str(BROKER_DOWN)


@pytest.mark.django_db
def test_claim_counts_attempts_and_leaves_a_finished_job_alone():
    report = AnnualReport.objects.create(year=2020)
    claimed = job_claim(AnnualReport, report.pk, task_id="t-1")
    assert (claimed.status, claimed.attempts, claimed.task_id) == ("running", 1, "t-1")
    started = claimed.started_at
    claimed = job_claim(AnnualReport, report.pk)  # a worker lost: delivered again
    assert (claimed.attempts, claimed.started_at, claimed.task_id) == (
        2,
        started,
        "t-1",
    )
    job_finish(claimed)
    again = job_claim(AnnualReport, report.pk, task_id="t-2")
    assert (again.status, again.attempts, again.task_id) == ("done", 2, "t-1")


@pytest.mark.django_db
def test_attempts_are_capped(monkeypatch):
    monkeypatch.setattr(AnnualReport, "MAX_ATTEMPTS", 2)
    report = AnnualReport.objects.create(year=2020, attempts=2, status="running")
    report = job_claim(AnnualReport, report.pk)
    assert report.status == AnnualReport.Status.FAILED
    assert report.error == "Abandon après 2 tentatives."


@pytest.mark.django_db
def test_the_bar_never_goes_back_and_the_page_reads_the_step():
    report = job_claim(AnnualReport, AnnualReport.objects.create(year=2020).pk)
    job_step(report, 40, "Calcul des indicateurs")
    job_step(report, 10, "Écriture du classeur")  # a redelivery starting again
    state = job_status(AnnualReport.objects.get(pk=report.pk))
    assert set(state) == KEYS
    assert (state["percent"], state["label"], state["finished"]) == (
        40,
        "Écriture du classeur",
        False,
    )
    assert (state["status"], state["status_label"]) == ("running", "En cours")
    assert state["text"] == "Écriture du classeur : 40 %"


@pytest.mark.django_db
def test_the_live_step_is_read_while_the_row_is_not_committed():
    """A job working inside one long transaction (a SINP export) is followed through the
    cache: what the last step said wins over the row."""
    report = job_claim(AnnualReport, AnnualReport.objects.create(year=2020).pk)
    job_step(report, 30, rows=300, total=1000)
    AnnualReport.objects.filter(pk=report.pk).update(progress=0)  # as others see it
    state = job_status(AnnualReport.objects.get(pk=report.pk))
    assert (state["percent"], state["processed_rows"], state["total_rows"]) == (
        30,
        300,
        1000,
    )


@pytest.mark.django_db
def test_finish_and_fail_end_the_job_and_drop_its_live_step(
    django_capture_on_commit_callbacks,
):
    done = job_claim(AnnualReport, AnnualReport.objects.create(year=2020).pk)
    job_step(done, 50)
    with django_capture_on_commit_callbacks(execute=True):
        job_finish(done, step="Terminé")
        assert cache.get(job_progress_key(done))  # pollers read it until the commit
    assert cache.get(job_progress_key(done)) is None
    state = job_status(AnnualReport.objects.get(pk=done.pk))
    assert (state["status"], state["percent"], state["finished"]) == ("done", 100, True)
    broken = job_claim(AnnualReport, AnnualReport.objects.create(year=2021).pk)
    job_step(broken, 20)
    job_fail(broken, "Disque plein.")
    broken.refresh_from_db()
    assert (broken.status, broken.progress, broken.error) == (
        "failed",
        20,
        "Disque plein.",
    )
    assert job_status(broken)["finished"]

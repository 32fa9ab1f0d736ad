"""Annual report jobs: create one (queued on commit), run it in the worker with progress."""

import logging

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from indicateurs.models import AnnualReport
from indicateurs.report import workbook_bytes
from indicateurs.services import indicators_for_year
from observations.tasks import job_enqueue

logger = logging.getLogger(__name__)


def report_create(*, year: int, user) -> AnnualReport:
    """A pending report, queued for the worker once the transaction commits."""
    from indicateurs.tasks import report_run_task

    report = AnnualReport.objects.create(year=year, requested_by=user)
    job_enqueue(report_run_task, report)
    return report


def _reader(report: AnnualReport):
    if report.requested_by_id:
        return report.requested_by
    return (
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .order_by("pk")
        .first()
    )


def _step(report: AnnualReport, percent: int, label: str) -> None:
    # Progress never goes back (a redelivered task starts again from its own steps).
    percent = max(percent, report.progress)
    AnnualReport.objects.filter(pk=report.pk).update(progress=percent, step=label)
    report.progress, report.step = percent, label


def report_run(report_id: int) -> AnnualReport:
    """Compute the indicators and write the workbook. A finished report is left alone, so
    a second delivery of the task (acks_late) does nothing."""
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().get(pk=report_id)
        if report.is_finished:
            return report
        report.status = AnnualReport.Status.RUNNING
        report.attempts += 1
        report.started_at = report.started_at or timezone.now()
        report.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    try:
        user = _reader(report)
        if user is None:
            raise RuntimeError("Aucun superutilisateur pour calculer le bilan.")
        _step(report, 5, "Calcul des indicateurs")
        indicators = indicators_for_year(
            report.year,
            user,
            progress=lambda done, label: _step(report, 5 + int(done * 80), label),
        )
        _step(report, 90, "Écriture du classeur")
        content = workbook_bytes(indicators)
        report.file.save(report.filename, ContentFile(content), save=False)
        report.status = AnnualReport.Status.DONE
        report.progress, report.step = 100, "Terminé"
    except Exception as exc:
        logger.exception("Bilan annuel %s", report.pk)
        report.status = AnnualReport.Status.FAILED
        report.error = str(exc)
    report.finished_at = timezone.now()
    report.save()
    return report

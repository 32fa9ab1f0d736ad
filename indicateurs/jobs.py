"""Annual report jobs: create one (queued on commit), run it in the worker with progress."""

import logging

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from cpie_naturaliste.core.jobs.services import (
    job_claim,
    job_create,
    job_fail,
    job_finish,
    job_step,
)
from indicateurs.models import AnnualReport
from indicateurs.narratives import narratives_apply
from indicateurs.report import workbook_bytes
from indicateurs.services import indicators_for_year
from indicateurs.structures import structure_reader

logger = logging.getLogger(__name__)


def report_create(*, year: int, user, structure=None) -> AnnualReport:
    """A pending report (of ``structure`` for a regional reader), queued for the worker
    once the transaction commits."""
    from indicateurs.tasks import report_run_task

    return job_create(
        AnnualReport,
        task=report_run_task,
        year=year,
        requested_by=user,
        structure=structure,
    )


def _reader(report: AnnualReport):
    if report.requested_by_id:
        return report.requested_by
    return (
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .order_by("pk")
        .first()
    )


def report_run(report_id: int, *, task_id: str = "") -> AnnualReport:
    """Compute the indicators and write the workbook. A finished report is left alone, so
    a second delivery of the task (acks_late) does nothing."""
    report = job_claim(AnnualReport, report_id, task_id=task_id)
    if report.is_finished:
        return report
    try:
        user = _reader(report)
        if user is None:
            raise RuntimeError("Aucun superutilisateur pour calculer le bilan.")
        job_step(report, 5, "Calcul des indicateurs")
        reader = user
        if report.structure_id:
            reader = structure_reader(user, report.structure)
        indicators = indicators_for_year(
            report.year,
            reader,
            progress=lambda done, label: job_step(report, 5 + int(done * 80), label),
        )
        narratives_apply(
            indicators, report.year, report.structure_id or user.organisation_id
        )
        job_step(report, 90, "Écriture du classeur")
        content = workbook_bytes(indicators, report.structure_name)
        report.file.save(report.filename, ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("Bilan annuel %s", report.pk)
        job_fail(report, str(exc))
    else:
        job_finish(report, step="Terminé", file=report.file.name)
    return report

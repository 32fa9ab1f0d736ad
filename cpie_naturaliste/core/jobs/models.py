"""The abstract job row: what every background job records about itself.

A job model keeps its own statuses (an import is "checking" or "invalid", an extract
"expired") and says where each falls in the one lifecycle the services and pages know:
pending, running (``RUNNING_STATUSES``), finished (``FINISHED_STATUSES``, among which the
``FAILED`` one a broken job gets). ``progress`` and ``step`` only move forward
(:func:`cpie_naturaliste.core.jobs.services.job_step`)."""

import uuid
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.models import TimeStampedModel


def job_status_field(choices: type[models.TextChoices]) -> models.CharField:
    """The ``status`` field of a job model, over that model's own statuses."""
    return models.CharField(
        _("état"), max_length=12, choices=choices.choices, default="pending"
    )


class Job(TimeStampedModel):
    """A job: state, progress, step, attempts, error, times, the Celery task's id.

    Subclasses redeclare ``Status`` and ``status = job_status_field(Status)`` when their
    statuses or labels differ, and the two sets below when they have more than
    pending / running / done / failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    # The statuses of a job at work (claimed by a worker), and of a finished one.
    RUNNING_STATUSES: ClassVar[tuple[str, ...]] = ("running",)
    FINISHED_STATUSES: ClassVar[tuple[str, ...]] = ("done", "failed")
    # Deliveries of the task before the job is given up (None: no limit).
    MAX_ATTEMPTS: ClassVar[int | None] = None
    # The field that carries the failure's message (ImportBatch: its report, "message").
    ERROR_FIELD: ClassVar[str] = "error"
    # What the progress sentence counts: "lue(s)", "écrite(s)"; None: a percentage.
    ROWS_VERB: ClassVar[str | None] = None

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = job_status_field(Status)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape"), max_length=120, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    task_id = models.CharField(_("tâche"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def is_running(self) -> bool:
        """Pending or at work: its page follows it."""
        return not self.is_finished

    def current_status(self) -> models.TextChoices:
        """The status shown now (an extract past its date reads "expired")."""
        return self.Status(self.status)

    def progress_rows(self, live: dict, percent: int) -> tuple[int, int]:
        """(rows done, rows expected) for the progress sentence; ``live`` is what the last
        step reported (rows, total), ``percent`` the bar's value."""
        if live.get("total"):
            return live.get("rows") or 0, live["total"]
        return percent, 100

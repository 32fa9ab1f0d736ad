"""The SINP/RAIN exports sent to the regional poles, and what each one sent.

An export covers one year, one pole (faune or flore) and one perimeter (the whole network, or
the datasets of one organisation when a local coordinator launches it). Its items record, per
idSINPOccTax, the fingerprint of the row sent (md5 of the exported line) or its deletion: the
latest item per record over the exports of the same year, pole and perimeter since the last
complete one is what the pole holds, so the next incremental export sends only the rows whose
fingerprint changed or is new, and the deletion of the records the pole holds that are no
longer exported (deleted, no longer validated, moved to another year or pole).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.jobs.models import Job, job_status_field
from referentiel.models import Organisation


class SinpExport(Job):
    class Pole(models.TextChoices):
        FAUNE = "faune", _("Faune")
        FLORE = "flore", _("Flore")

    class Mode(models.TextChoices):
        COMPLETE = "complet", _("Complet")
        INCREMENTAL = "incremental", _("Incrémental")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    ROWS_VERB = "écrite(s)"

    year = models.PositiveSmallIntegerField(_("année"))
    pole = models.CharField(_("pôle"), max_length=5, choices=Pole.choices)
    mode = models.CharField(
        _("mode"), max_length=11, choices=Mode.choices, default=Mode.COMPLETE
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("périmètre (organisme)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Vide : tout le réseau ; sinon les jeux de données de l'organisme."
        ),
    )
    status = job_status_field(Status)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rows_sent = models.PositiveIntegerField(_("observations envoyées"), default=0)
    deletions_sent = models.PositiveIntegerField(_("suppressions envoyées"), default=0)
    file = models.FileField(_("fichier"), upload_to="exports/sinp/", blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    sequence = models.PositiveIntegerField(
        _("rang dans la série"),
        null=True,
        blank=True,
        help_text=_(
            "Ordre des exports terminés d'une même année, d'un même pôle et d'un même "
            "périmètre : l'état connu du pôle se lit dans cet ordre."
        ),
    )

    class Meta:
        verbose_name = _("export SINP")
        verbose_name_plural = _("exports SINP")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["year", "pole", "status"], name="sinp_export_chain"),
        ]

    def __str__(self) -> str:
        return f"SINP {self.year} {self.get_pole_display()} ({self.get_mode_display()})"

    def progress_rows(self, live: dict, percent: int) -> tuple[int, int]:
        if live.get("total") is not None:
            return live.get("rows") or 0, live["total"]
        rows = self.rows_sent if self.status == self.Status.DONE else 0
        return rows, rows

    @property
    def filename(self) -> str:
        return f"sinp-{self.year}-{self.pole}-{self.mode}-{self.pk}.zip"


class SinpExportItem(models.Model):
    """One record sent (its row's fingerprint) or one deletion sent, by an export."""

    export = models.ForeignKey(
        SinpExport,
        verbose_name=_("export"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    uuid = models.UUIDField(_("idSINPOccTax"))
    fingerprint = models.UUIDField(
        _("empreinte de la ligne"),
        null=True,
        blank=True,
        help_text=_("md5 de la ligne envoyée ; vide pour une suppression."),
    )
    deleted = models.BooleanField(_("suppression"), default=False)

    class Meta:
        verbose_name = _("ligne d'export SINP")
        verbose_name_plural = _("lignes d'export SINP")
        constraints = [
            models.UniqueConstraint(
                fields=["export", "uuid"], name="sinp_item_export_uuid"
            )
        ]

    def __str__(self) -> str:
        return str(self.uuid)

"""Bulk imports of occurrence files: a batch per file (undoable as a whole) and saved mappings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.jobs.models import Job, job_status_field
from cpie_naturaliste.core.models import TimeStampedModel
from cpie_naturaliste.core.tabular.errors import Mode
from referentiel.models import Dataset, Organisation


class ImportBatch(Job):
    """A file's import, a job (checked, then inserted) whose ``message`` is its report:
    the summary of what it did, or why it was refused or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        CHECKING = "checking", _("Vérification en cours")
        INVALID = "invalid", _("Refusé : erreurs à corriger")
        CHECKED = "checked", _("Vérifié (essai à blanc)")
        IMPORTING = "importing", _("Insertion en cours")
        DONE = "done", _("Importé")
        FAILED = "failed", _("Échec")
        UNDONE = "undone", _("Annulé")

    RUNNING_STATUSES = (Status.CHECKING, Status.IMPORTING)
    FINISHED_STATUSES = (
        Status.INVALID,
        Status.CHECKED,
        Status.DONE,
        Status.FAILED,
        Status.UNDONE,
    )
    MAX_ATTEMPTS = 3
    ERROR_FIELD = "message"
    ROWS_VERB = "lue(s)"

    dataset = models.ForeignKey(
        Dataset,
        verbose_name=_("jeu de données"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    file = models.FileField(_("fichier"), upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(_("nom du fichier"), max_length=255)
    file_sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, db_index=True)
    mapping = models.JSONField(
        _("correspondance des colonnes"), default=dict, blank=True
    )
    dry_run = models.BooleanField(_("essai à blanc"), default=False)
    mode = models.CharField(
        _("lignes en erreur"),
        max_length=8,
        choices=Mode.choices,
        default=Mode.ALL_OR_NOTHING,
    )
    status = job_status_field(Status)
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    processed_rows = models.PositiveIntegerField(_("lignes traitées"), default=0)
    created_count = models.PositiveIntegerField(_("observations créées"), default=0)
    updated_count = models.PositiveIntegerField(
        _("observations mises à jour"), default=0
    )
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    refused_lines = models.JSONField(
        _("lignes refusées"),
        default=list,
        blank=True,
        help_text=_(
            "Mode « lignes valides » : les numéros des lignes laissées de côté, que la "
            "page rend en CSV avec leur motif."
        ),
    )
    message = models.TextField(_("message"), blank=True)
    error = None  # the report says it: ``message``
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import de fichier")
        verbose_name_plural = _("imports de fichiers")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def progress_rows(self, live: dict, percent: int) -> tuple[int, int]:
        return self.processed_rows, self.total_rows


class ImportMapping(TimeStampedModel):
    """A saved column mapping (target field → column header), e.g. the organisation's template."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisme"),
        on_delete=models.CASCADE,
        related_name="import_mappings",
    )
    name = models.CharField(_("nom"), max_length=100)
    mapping = models.JSONField(_("correspondance"), default=dict)
    is_default = models.BooleanField(_("par défaut"), default=False)

    class Meta:
        verbose_name = _("modèle d'import")
        verbose_name_plural = _("modèles d'import")
        ordering = ["organisation", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="import_mapping_name_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(is_default=True),
                name="import_mapping_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name

"""Partner extracts: a file of occurrences made for an organisation, and the log of data
exchanges (who, for whom, when, which filters, how many rows, which file) that the annual
report counts."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.jobs.models import Job, job_status_field
from referentiel.models import Organisation


class Extract(Job):
    class Format(models.TextChoices):
        CSV = "csv", _("CSV (tableur, séparateur point-virgule)")
        XLSX = "xlsx", _("Excel (XLSX)")
        GEOJSON = "geojson", _("GeoJSON (WGS84)")
        GPKG = "gpkg", _("GeoPackage (QGIS)")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prête")
        FAILED = "failed", _("Échec")
        EXPIRED = "expired", _("Expirée")

    FINISHED_STATUSES = (Status.DONE, Status.FAILED, Status.EXPIRED)
    MAX_ATTEMPTS = 3
    ROWS_VERB = "écrite(s)"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        on_delete=models.PROTECT,
        related_name="extracts",
    )
    recipient = models.ForeignKey(
        Organisation,
        verbose_name=_("destinataire"),
        on_delete=models.PROTECT,
        related_name="extracts_received",
    )
    purpose = models.CharField(_("objet de la demande"), max_length=255, blank=True)
    filters = models.JSONField(_("filtres"), default=dict, blank=True)
    area = models.MultiPolygonField(
        _("territoire dessiné"), srid=settings.SRID, null=True, blank=True
    )
    # One file per format; several formats are delivered together in one ZIP.
    formats = ArrayField(
        models.CharField(max_length=8, choices=Format.choices),
        verbose_name=_("formats"),
        default=list,
    )
    clearance = models.PositiveSmallIntegerField(
        _("sensibilité lue en précis jusqu'au niveau"), default=0
    )
    status = job_status_field(Status)
    rows_expected = models.PositiveIntegerField(_("lignes prévues"), default=0)
    blurred_expected = models.PositiveIntegerField(
        _("lignes floutées prévues"), default=0
    )
    rows = models.PositiveIntegerField(_("lignes écrites"), default=0)
    file = models.FileField(_("fichier"), upload_to="extracts/", blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), default=0)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu'au"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("téléchargements"), default=0)

    class Meta:
        verbose_name = _("extraction (échange de données)")
        verbose_name_plural = _("extractions (échanges de données)")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="extract_created")]

    def __str__(self) -> str:
        return f"{self.recipient} – {self.created_at:%d/%m/%Y} ({self.formats_label})"

    @property
    def is_zip(self) -> bool:
        """Several formats: one ZIP holding a file per format."""
        return len(self.formats) > 1

    @property
    def extension(self) -> str:
        return "zip" if self.is_zip else self.formats[0]

    @property
    def formats_label(self) -> str:
        labels = dict(self.Format.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.formats)

    @property
    def formats_short(self) -> str:
        """« CSV + GPKG », for the log's column."""
        return " + ".join(code.upper() for code in self.formats)

    def current_status(self) -> Status:
        """Past its date the file is refused at once, even before the nightly task
        (beat, ``extracts_expire_task``) has deleted it and marked the extract expired."""
        if self.status == self.Status.DONE and self.expires_at:
            if self.expires_at <= timezone.now():
                return self.Status.EXPIRED
        return self.Status(self.status)

    def progress_rows(self, live: dict, percent: int) -> tuple[int, int]:
        if self.is_finished:
            return self.rows, self.rows_expected
        return percent * self.rows_expected // 100, self.rows_expected

    @property
    def stem(self) -> str:
        return f"extraction-{self.created_at:%Y%m%d}-{str(self.uuid)[:8]}"

    @property
    def filename(self) -> str:
        return f"{self.stem}.{self.extension}"


class DataExchange(models.Model):
    """An exchange of data made outside the app (a partner's file received, a file sent
    by mail, a database dump…), recorded by hand so that the exchange log and the report
    count it with the extracts: partner, date, content and number of data."""

    class Direction(models.TextChoices):
        SENT = "sent", _("Données transmises au partenaire")
        RECEIVED = "received", _("Données reçues du partenaire")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("structure"),
        on_delete=models.PROTECT,
        related_name="data_exchanges",
    )
    partner = models.ForeignKey(
        Organisation,
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        related_name="data_exchanges_with",
    )
    date = models.DateField(_("date"))
    direction = models.CharField(
        _("sens"), max_length=10, choices=Direction.choices, default=Direction.SENT
    )
    content = models.CharField(
        _("contenu"),
        max_length=255,
        help_text=_("Ex. « Abeilles et syrphes 2020 pour le plan régional SAPOLL »."),
    )
    fauna_rows = models.PositiveIntegerField(_("données faune"), default=0)
    flora_rows = models.PositiveIntegerField(_("données flore"), default=0)
    species = models.PositiveIntegerField(_("espèces"), null=True, blank=True)
    notes = models.TextField(_("remarques"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("saisi le"), auto_now_add=True)

    class Meta:
        verbose_name = _("échange de données hors application")
        verbose_name_plural = _("échanges de données hors application")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(partner=models.F("organisation")),
                name="data_exchange_partner_not_self",
                violation_error_message=_(
                    "Le partenaire doit être une autre structure que la vôtre."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(fauna_rows__gt=0) | models.Q(flora_rows__gt=0),
                name="data_exchange_has_data",
                violation_error_message=_(
                    "Indiquez le nombre de données échangées (faune, flore ou les deux)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} – {self.date:%d/%m/%Y} ({self.content})"

    @property
    def rows(self) -> int:
        return self.fauna_rows + self.flora_rows

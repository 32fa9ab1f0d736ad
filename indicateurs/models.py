"""The annual report files: one row per request (a coordinator's button, or the January
schedule), followed by its page while a Celery worker writes it. ``indicateurs`` owns no
field data (DESIGN §1): this is a job log."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cpie_naturaliste.core.jobs.models import Job, job_status_field
from cpie_naturaliste.core.models import TimeStampedModel


def report_filename(year: int, structure: str | None, extension: str = "xlsx") -> str:
    """``bilan-2020-cpie-chaine-des-terrils.xlsx``: the year and the structure, slugified
    (``bilan-2020.xlsx`` for a network-wide reader with no structure)."""
    slug = slugify(structure or "")
    return f"bilan-{year}{f'-{slug}' if slug else ''}.{extension}"


class AnnualReport(Job):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    year = models.PositiveSmallIntegerField(_("année"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_reports",
        help_text=_("Vide : bilan lancé par le calendrier annuel."),
    )
    status = job_status_field(Status)
    file = models.FileField(_("fichier"), upload_to="rapports/", blank=True)

    class Meta:
        verbose_name = _("bilan annuel")
        verbose_name_plural = _("bilans annuels")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Bilan {self.year} ({self.get_status_display()})"

    @property
    def structure(self) -> str | None:
        """The structure the report is of (its requester's), None for the network."""
        user = self.requested_by
        organisation = user.organisation if user is not None else None
        return organisation.name if organisation is not None else None

    @property
    def filename(self) -> str:
        """``bilan-2020-cpie-chaine-des-terrils.xlsx``."""
        return report_filename(self.year, self.structure)


class RemarkableFind(TimeStampedModel):
    """A coordinator's decision on a detected find (indicateurs.finds): confirmed or set
    aside, commented, picked for the report. Detection stays live; this row only keeps
    what the coordinator said about it."""

    class Kind(models.TextChoices):
        FIRST_DEPARTEMENT = "first_departement", _("Première mention départementale")
        FIRST_TERRITORY = "first_territory", _("Première mention sur le territoire")
        RETURN = "return", _("Retour après une longue absence")
        RARE = "rare", _("Espèce rare ou menacée")

    class Status(models.TextChoices):
        TO_CONFIRM = "a_confirmer", _("À confirmer")
        CONFIRMED = "confirmee", _("Confirmée")
        REJECTED = "ecartee", _("Écartée")

    occurrence = models.ForeignKey(
        "observations.Occurrence",
        verbose_name=_("observation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.TO_CONFIRM
    )
    in_report = models.BooleanField(_("retenue pour le bilan"), default=False)
    comment = models.TextField(_("commentaire"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("découverte remarquable")
        verbose_name_plural = _("découvertes remarquables")
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "kind"], name="indic_find_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.occurrence_id}"


class TaxonPresence(models.Model):
    """The years with valid presence records of a taxon (its valid name, ``cd_ref``) in a
    zone: the history the finds are read against (indicateurs.finds). A zone is a
    département (``dep:62``) or an organisation's territory (``org:<id>``, referentiel
    Organisation.territory_communes, by the record's main commune).

    One row per taxon and zone (30,000 rows for 1,000,000 records, where a row per year
    made 280,000): the finds of a year read a few thousand of them.

    Derived data, rebuilt whole by :func:`indicateurs.summary.presence_summary_refresh`
    (a Celery task after imports and validations, every quarter of an hour, or a
    coordinator's button); :class:`SummaryRefresh` says when."""

    cd_ref = models.IntegerField(_("cd_ref"))
    zone = models.CharField(_("zone"), max_length=20)
    years = ArrayField(models.SmallIntegerField(), verbose_name=_("années"))
    records = models.PositiveIntegerField(_("données"))

    class Meta:
        verbose_name = _("présence d'un taxon")
        verbose_name_plural = _("présences des taxons")
        constraints = [
            models.UniqueConstraint(
                fields=["cd_ref", "zone"], name="indic_presence_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cd_ref} {self.zone} ({self.records})"


class SummaryRefresh(models.Model):
    """When a summary table was last rebuilt, and what it cost."""

    name = models.CharField(_("table"), max_length=40, unique=True)
    refreshed_at = models.DateTimeField(_("recalculée le"))
    seconds = models.FloatField(_("durée (s)"))
    rows = models.PositiveIntegerField(_("lignes"))

    class Meta:
        verbose_name = _("recalcul de table de synthèse")
        verbose_name_plural = _("recalculs de tables de synthèse")

    def __str__(self) -> str:
        return f"{self.name} ({self.refreshed_at:%d/%m/%Y %H:%M})"


class IndicatorSnapshot(models.Model):
    """The indicators of a year as one coordinator reads them (the whole answer of
    :func:`indicateurs.services.indicators_for_year`), kept so that the dashboard answers
    in milliseconds instead of the seconds the computation takes on a million records.

    ``generation`` is the data generation read before the computation
    (:mod:`cpie_naturaliste.core.generation`: a PostgreSQL sequence advanced by every
    change to the field data): the snapshot is fresh while the sequence has not moved
    (:mod:`indicateurs.snapshots`). Derived data, recomputed by a Celery task after
    changes, every quarter of an hour, or on demand;
    the page says when it was computed and whether data changed since."""

    year = models.PositiveSmallIntegerField(_("année"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lecteur"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    generation = models.BigIntegerField(_("génération des données"))
    indicators = models.JSONField(_("indicateurs"))
    computed_at = models.DateTimeField(_("calculés le"))
    seconds = models.FloatField(_("durée du calcul (s)"))
    viewed_at = models.DateTimeField(_("consultés le"))

    class Meta:
        verbose_name = _("indicateurs calculés")
        verbose_name_plural = _("indicateurs calculés")
        constraints = [
            models.UniqueConstraint(fields=["year", "user"], name="indic_snapshot_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.user_id} ({self.computed_at:%d/%m/%Y %H:%M})"
